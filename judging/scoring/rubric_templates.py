"""Rubric templates the committee can apply to a stage: data only.

The KIPP templates follow the evaluation of the Kompetisi Inovasi Pelayanan Publik of the
Kementerian PANRB: the desk evaluation of KIPP 2023 (seven weighted criteria, scores 0-100,
finalists need at least 85) and the presentation and interview stage. Names, descriptions and
band descriptors are in Bahasa Indonesia, as the judges read them.
"""

from __future__ import annotations

BANDS_100 = [
    {"lo": 0, "hi": 40, "label": "Kurang: tidak dijelaskan atau tidak didukung bukti"},
    {"lo": 41, "hi": 60, "label": "Cukup: dijelaskan secara umum, bukti terbatas"},
    {"lo": 61, "hi": 80, "label": "Baik: dijelaskan dengan jelas dan didukung data"},
    {"lo": 81, "hi": 100, "label": "Sangat baik: meyakinkan, terukur dan terbukti"},
]


TEMPLATES = {
    "kipp2023_desk": {
        "name": "KIPP 2023: Evaluasi proposal (desk evaluation)",
        "scale_min": 0,
        "scale_max": 100,
        "pass_mark": 85.0,
        "criteria": [
            (
                "Latar belakang dan tujuan",
                10,
                "Masalah yang diatasi, penyebabnya, dan tujuan inovasi dijelaskan dengan jelas.",
            ),
            (
                "Kebaruan",
                15,
                "Gagasan baru atau modifikasi yang berbeda nyata dari praktik sebelumnya.",
            ),
            (
                "Implementasi",
                5,
                "Inovasi telah diterapkan paling sedikit satu tahun, dengan tahapan yang jelas.",
            ),
            (
                "Signifikansi",
                30,
                "Dampak nyata bagi masyarakat, dibuktikan dengan data sebelum dan sesudah.",
            ),
            (
                "Adaptabilitas",
                20,
                "Inovasi telah atau dapat diadaptasi oleh unit atau daerah lain.",
            ),
            (
                "Sumber daya",
                5,
                "Sumber daya manusia, anggaran dan sarana yang digunakan dijelaskan.",
            ),
            (
                "Strategi keberlanjutan",
                15,
                "Strategi institusional, sosial dan ekonomi agar inovasi terus berjalan.",
            ),
        ],
    },
    "kipp_presentation": {
        "name": "KIPP: Presentasi dan wawancara",
        "scale_min": 0,
        "scale_max": 100,
        "pass_mark": None,
        "criteria": [
            ("Kebaruan", 30, "Keunikan dan orisinalitas inovasi menurut paparan dan tanya jawab."),
            ("Kemanfaatan", 25, "Manfaat yang dirasakan masyarakat, dengan bukti yang disajikan."),
            (
                "Kewenangan dan kolaborasi",
                15,
                "Kesesuaian dengan kewenangan unit dan kerja sama dengan pemangku kepentingan.",
            ),
            ("Replikasi", 20, "Kemudahan inovasi ditiru, dan replikasi yang sudah terjadi."),
            ("Presentasi", 10, "Kejelasan paparan dan penguasaan materi oleh penyaji."),
        ],
    },
}
