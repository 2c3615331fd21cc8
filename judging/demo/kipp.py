"""The demo's proposals in the full KIPP structure (see ``competition.rounds.sections``).

``data/entries.json`` holds, for each innovation, a summary, the problem, the novelty, the
implementation and the impact written by hand. The KIPP sections are built from them: the
innovative idea is the problem followed by the novelty, sustainability starts from the
implementation, and the SDG, adaptability and collaboration sections are composed from the
entry's own subject, category and partners, so that every one of the 45 proposals reads as a
plausible, specific answer in Indonesian. One entry (VIDOT) is entered in the replication
group, with its three extra sections written by hand. The material the sections are composed
from (SDG keywords and targets, regions, partners, ...) is in ``data/proposals.json``.
"""

from __future__ import annotations

import re
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from judging.demo import content


def start_date(text: str) -> date:
    """The start month named in the implementation text ("sejak Maret 2024"), else July of
    the year named, else mid-2024."""
    months = content.proposals()["months"]
    lower = text.lower()
    m = re.search(r"(" + "|".join(months) + r")\s+(20\d\d)", lower)
    if m:
        return date(int(m.group(2)), months.index(m.group(1)) + 1, 1)
    m = re.search(r"akhir\s+(20\d\d)", lower)
    if m:
        return date(int(m.group(1)), 11, 1)
    m = re.search(r"(20\d\d)", lower)
    return date(int(m.group(1)), 7, 1) if m else date(2024, 7, 1)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _sdg(entry: dict, sdgs: list[dict], default: dict) -> tuple[int, str, str]:
    """The first SDG (in the data file's priority order) whose keywords the entry mentions."""
    text = (entry["title"] + " " + entry["summary"]).lower()
    sdg = next((s for s in sdgs if any(w in text for w in s["keywords"])), default)
    return sdg["goal"], sdg["name"], sdg["target"]


def kipp_sections(entry: dict, org: dict, i: int) -> dict:
    """The proposal data (header and KIPP sections) of demo entry ``i``."""
    p = content.proposals()
    name = entry["title"].split(":")[0].strip()
    category = org["category"]
    n, goal, target = _sdg(entry, p["sdgs"], p["default_sdg"])
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
    regions = p["regions"]
    r1, r2 = regions[i % len(regions)], regions[(i + 3) % len(regions)]
    need = p["needs"][i % len(p["needs"])]
    adjustment = p["adjustments"][i % len(p["adjustments"])]
    regulation = p["regulations"][i % len(p["regulations"])]
    adaptability = (
        f"{name} dapat diadaptasi oleh {p['peers'][category]} karena hanya membutuhkan "
        f"{need}. Pada 2025 tim inovasi menerima kunjungan studi tiru dari "
        f"{r1} dan {r2}; {r1} telah menerapkan model serupa dengan penyesuaian pada "
        f"{adjustment}. Panduan teknis, formulir dan materi pelatihan "
        "disusun dalam satu paket replikasi yang dibagikan tanpa biaya kepada unit yang "
        "berminat, dan tim bersedia mendampingi unit yang menirunya selama tiga bulan pertama."
    )
    sustainability = (
        f"{entry['implementation']} Keberlanjutannya dijamin oleh "
        f"{regulation}, anggaran operasional yang masuk dalam dokumen "
        "pelaksanaan anggaran setiap tahun, serta petugas yang telah dilatih dan dapat saling "
        "menggantikan. Standar operasional prosedur telah dibakukan sehingga layanan tidak "
        "bergantung pada satu orang, dan capaian dievaluasi setiap triwulan oleh tim inovasi."
    )
    partners = p["partners"][category]
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
    if org["key"] in p["replication"]:
        data.update(p["replication"][org["key"]], group="replikasi")
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
