"""The demo's proposals in the full KIPP structure (see ``competition.proposal``).

``demo_data.ENTRIES`` holds, for each innovation, a summary, the problem, the novelty, the
implementation and the impact written by hand. The KIPP sections are built from them: the
innovative idea is the problem followed by the novelty, sustainability starts from the
implementation, and the SDG, adaptability and collaboration sections are composed from the
entry's own subject, category and partners, so that every one of the 45 proposals reads as a
plausible, specific answer in Indonesian. One entry (VIDOT) is entered in the replication
group, with its three extra sections written by hand.
"""

from __future__ import annotations

import re
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ),
        start=1,
    )
}


# (keywords, goal number, goal name, target) in priority order; the first match wins.
SDGS = [
    (
        ("stunting", "gizi", "pangan", "dapur"),
        2,
        "Tanpa Kelaparan",
        "2.2 mengakhiri segala bentuk kekurangan gizi, termasuk stunting pada balita",
    ),
    (
        ("perempuan", "nikah", "kekerasan"),
        5,
        "Kesetaraan Gender",
        "5.2 dan 5.3 menghapus kekerasan terhadap perempuan dan perkawinan anak",
    ),
    (
        (
            "lansia",
            "tuberkulosis",
            "hipertensi",
            "jiwa",
            "jentik",
            "obat",
            "merokok",
            "refraksi",
            "imunisasi",
            "hamil",
            "antrean daring",
            "pasien",
            "skrining",
        ),
        3,
        "Kehidupan Sehat dan Sejahtera",
        "3.8 cakupan kesehatan semesta dan akses layanan kesehatan esensial yang bermutu",
    ),
    (
        ("sekolah", "siswa", "perpustakaan", "pustaka"),
        4,
        "Pendidikan Berkualitas",
        "4.1 dan 4.6 memastikan semua anak menyelesaikan pendidikan dan memiliki kemampuan literasi",
    ),
    (
        ("air", "pipa", "septik", "sanitasi"),
        6,
        "Air Bersih dan Sanitasi Layak",
        "6.1 dan 6.2 akses air minum aman serta sanitasi yang layak bagi semua",
    ),
    (
        ("kerja", "usaha", "pempek", "timbangan", "traktor", "pasar"),
        8,
        "Pekerjaan Layak dan Pertumbuhan Ekonomi",
        "8.3 mendorong usaha mikro dan kecil serta penciptaan lapangan kerja",
    ),
    (
        ("sampah",),
        12,
        "Konsumsi dan Produksi yang Bertanggung Jawab",
        "12.5 mengurangi timbulan sampah melalui pencegahan, pengurangan dan daur ulang",
    ),
    (
        ("genangan", "kebakaran", "api", "gambut"),
        11,
        "Kota dan Permukiman yang Berkelanjutan",
        "11.5 mengurangi korban dan kerugian akibat bencana, termasuk bencana hidrometeorologi",
    ),
    (
        ("bus", "parkir"),
        11,
        "Kota dan Permukiman yang Berkelanjutan",
        "11.2 sistem transportasi yang aman, terjangkau dan mudah diakses",
    ),
    (
        ("disabilitas",),
        10,
        "Berkurangnya Kesenjangan",
        "10.2 memberdayakan dan meningkatkan inklusi sosial semua orang, termasuk penyandang "
        "disabilitas",
    ),
    (
        (
            "kependudukan",
            "akta",
            "kematian",
            "dokumen",
            "surat",
            "izin",
            "hukum",
            "tanah",
            "pengaduan",
            "data",
        ),
        16,
        "Perdamaian, Keadilan dan Kelembagaan yang Tangguh",
        "16.9 identitas hukum bagi semua dan 16.6 lembaga yang efektif, akuntabel dan transparan",
    ),
]


DEFAULT_SDG = (
    16,
    "Perdamaian, Keadilan dan Kelembagaan yang Tangguh",
    "16.6 mengembangkan lembaga yang efektif, akuntabel dan transparan",
)


REGIONS = [
    "Kabupaten Banyuasin",
    "Kabupaten Ogan Ilir",
    "Kota Prabumulih",
    "Kabupaten Muara Enim",
    "Kota Lubuklinggau",
    "Kabupaten Ogan Komering Ilir",
    "Kota Pagar Alam",
    "Kabupaten Musi Banyuasin",
]


PEERS = {
    "dinas": "perangkat daerah kabupaten/kota lain",
    "wilayah": "kecamatan dan kelurahan lain",
    "layanan": "puskesmas, rumah sakit dan BUMD lain",
}


NEEDS = [
    "ponsel petugas, aplikasi pesan yang sudah umum dipakai warga dan pelatihan singkat selama "
    "dua hari",
    "penetapan tim melalui surat keputusan pimpinan unit dan anggaran operasional yang kecil",
    "kerja sama dengan mitra lokal yang tersedia di hampir setiap daerah",
    "perangkat lunak sumber terbuka yang dapat dipasang ulang tanpa biaya lisensi",
]


ADJUSTMENTS = [
    "alur verifikasi dan pembagian peran petugas",
    "jadwal dan lokasi layanan",
    "format data dan integrasi dengan aplikasi daerah",
    "skema pembiayaan mitra",
]


REGULATIONS = [
    "keputusan kepala unit tentang penetapan tim inovasi dan standar pelayanannya",
    "Peraturan Wali Kota Palembang yang menetapkan inovasi ini sebagai layanan tetap",
    "surat edaran Wali Kota yang mewajibkan penerapannya di seluruh unit terkait",
    "perjanjian kerja sama dengan mitra yang diperpanjang setiap tahun",
]


PARTNERS = {
    "dinas": [
        "Diskominfo Kota Palembang",
        "kecamatan dan kelurahan",
        "perguruan tinggi setempat",
        "komunitas warga",
        "dunia usaha melalui program CSR",
    ],
    "wilayah": [
        "ketua RT dan RW",
        "PKK dan karang taruna",
        "puskesmas setempat",
        "tokoh agama dan tokoh masyarakat",
        "dinas teknis terkait",
    ],
    "layanan": [
        "kader kesehatan",
        "Dinas Kesehatan Kota Palembang",
        "BPJS Kesehatan",
        "organisasi profesi",
        "komunitas pasien dan keluarga",
    ],
}


REPLICATION = {
    "pkm-merdeka": {
        "inspiration": (
            "VIDOT mereplikasi inovasi Video Observed Treatment yang dikembangkan puskesmas di "
            "Kota Surabaya dan masuk Top Inovasi Pelayanan Publik. Model ini dipilih karena "
            "masalah yang sama kami hadapi: pasien TBC yang bekerja sulit datang setiap hari "
            "untuk diawasi menelan obat, sehingga angka putus berobat tinggi."
        ),
        "replication_process": (
            "Tim puskesmas melakukan studi tiru daring dengan tim Surabaya pada akhir 2023, "
            "mempelajari prosedur, formulir persetujuan pasien dan cara pencatatan. Prosedur "
            "disesuaikan dengan kondisi Palembang: video dikirim lewat WhatsApp karena aplikasi "
            "khusus sulit dipasang di ponsel pasien, kader PMO dilatih menjadi pendamping "
            "digital, dan pasien tanpa ponsel tetap diawasi langsung oleh kader. Uji coba "
            "dilakukan tiga bulan pada 20 pasien sebelum diperluas ke seluruh pasien TBC "
            "sensitif obat yang memiliki ponsel."
        ),
        "distinguishing": (
            "Berbeda dari model asalnya, VIDOT Merdeka menambahkan pengingat otomatis pada jam "
            "minum obat dan rekap kepatuhan mingguan yang dibahas dalam rapat lintas program "
            "puskesmas, sehingga pasien yang dua hari tidak mengirim video langsung dikunjungi "
            "kader."
        ),
    },
}


def start_date(text: str) -> date:
    """The start month named in the implementation text ("sejak Maret 2024"), else July of
    the year named, else mid-2024."""
    lower = text.lower()
    m = re.search(r"(" + "|".join(MONTHS) + r")\s+(20\d\d)", lower)
    if m:
        return date(int(m.group(2)), MONTHS[m.group(1)], 1)
    m = re.search(r"akhir\s+(20\d\d)", lower)
    if m:
        return date(int(m.group(1)), 11, 1)
    m = re.search(r"(20\d\d)", lower)
    return date(int(m.group(1)), 7, 1) if m else date(2024, 7, 1)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _sdg(entry: dict) -> tuple[int, str, str]:
    text = (entry["title"] + " " + entry["summary"]).lower()
    for words, n, goal, target in SDGS:
        if any(w in text for w in words):
            return n, goal, target
    return DEFAULT_SDG


def kipp_sections(entry: dict, org: dict, i: int) -> dict:
    """The proposal data (header and KIPP sections) of demo entry ``i``."""
    name = entry["title"].split(":")[0].strip()
    category = org["category"]
    n, goal, target = _sdg(entry)
    sdg = (
        f"{name} berkontribusi langsung pada Tujuan {n} SDGs, {goal}, terutama target "
        f"{target}. {_first_sentence(entry['impact'])} "
        + (
            ""
            if n == 16
            else "Layanan yang lebih cepat, terbuka dan terukur juga mendukung Tujuan 16 tentang "
            "lembaga yang efektif, akuntabel dan transparan. "
        )
        + "Capaiannya dilaporkan setiap semester sebagai bagian dari indikator kinerja RPJMD "
        "Kota Palembang."
    )
    r1, r2 = REGIONS[i % len(REGIONS)], REGIONS[(i + 3) % len(REGIONS)]
    adaptability = (
        f"{name} dapat diadaptasi oleh {PEERS[category]} karena hanya membutuhkan "
        f"{NEEDS[i % len(NEEDS)]}. Pada 2025 tim inovasi menerima kunjungan studi tiru dari "
        f"{r1} dan {r2}; {r1} telah menerapkan model serupa dengan penyesuaian pada "
        f"{ADJUSTMENTS[i % len(ADJUSTMENTS)]}. Panduan teknis, formulir dan materi pelatihan "
        "disusun dalam satu paket replikasi yang dibagikan tanpa biaya kepada unit yang "
        "berminat, dan tim bersedia mendampingi unit yang menirunya selama tiga bulan pertama."
    )
    sustainability = (
        f"{entry['implementation']} Keberlanjutannya dijamin oleh "
        f"{REGULATIONS[i % len(REGULATIONS)]}, anggaran operasional yang masuk dalam dokumen "
        "pelaksanaan anggaran setiap tahun, serta petugas yang telah dilatih dan dapat saling "
        "menggantikan. Standar operasional prosedur telah dibakukan sehingga layanan tidak "
        "bergantung pada satu orang, dan capaian dievaluasi setiap triwulan oleh tim inovasi."
    )
    partners = PARTNERS[category]
    p1, p2, p3 = (partners[(i + k) % len(partners)] for k in range(3))
    collaboration = (
        f"Inovasi ini melibatkan {p1}, {p2} dan {p3}. {org['name']} bertanggung jawab atas "
        "penyelenggaraan dan mutu layanan, sedangkan mitra mendukung penyebaran informasi, "
        "penyediaan sarana dan pendampingan warga. Masukan masyarakat dihimpun setiap bulan "
        "melalui survei kepuasan dan kanal pengaduan untuk perbaikan layanan."
    )
    data = {
        "title": entry["title"],
        "summary": entry["summary"],
        "novelty": f"{entry['problem']}\n\n{entry['novelty']}",
        "impact": entry["impact"],
        "sdg": sdg,
        "adaptability": adaptability,
        "sustainability": sustainability,
        "collaboration": collaboration,
        "innovation_started_on": start_date(entry["implementation"]),
        "innovators": (
            f"{org['contact']}, ketua tim inovasi, {org['key']}@palembang.go.id\n"
            f"Staf pelaksana {org['name']}, anggota tim, 0811-7{i:03d}-{(i * 37) % 1000:03d}0"
        ),
        "video_url": f"https://www.youtube.com/watch?v=koinyanlik26-{org['key']}",
        "truth_declaration": True,
        "group": "umum",
    }
    if org["key"] in REPLICATION:
        data.update(REPLICATION[org["key"]], group="replikasi")
    return data


def sk_pdf(org: dict, entry: dict, i: int, year: int) -> bytes:
    """A one-page decree (SK) naming the innovation team, as the OPD would scan and upload."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, f"KEPUTUSAN KEPALA {org['name'].upper()}", align="C", **line)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 7, f"NOMOR: {100 + i}/SK/INOV/{year}", align="C", **line)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        6,
        "TENTANG PEMBENTUKAN TIM INOVASI " + entry["title"].split(":")[0].upper(),
        align="C",
        **line,
    )
    pdf.ln(6)
    pdf.multi_cell(
        0,
        6,
        (
            f'Menetapkan tim inovasi "{entry["title"]}" dengan ketua {org["contact"]} '
            f"beserta staf pelaksana pada {org['name']}, yang bertugas merancang, menerapkan, "
            "memantau dan melaporkan pelaksanaan inovasi pelayanan publik tersebut."
        ),
        **line,
    )
    pdf.ln(10)
    pdf.multi_cell(0, 6, f"Ditetapkan di Palembang, 2 Januari {year}", **line)
    return bytes(pdf.output())
