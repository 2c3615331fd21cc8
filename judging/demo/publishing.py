"""The demo's publication: KOINYANLIK-style city awards with prize money, a certificate layout
with a drawn logo, a first version and a correction (so the public page shows a history), and
certificates of appreciation for the judges, and a special award. Kept apart from ``judging.demo`` to ease merging."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image, ImageDraw

from competition.accounts.models import User
from competition.rounds.models import Stage
from judging.results import awards, certificates
from judging.results import publication as publication_service
from judging.results.views import judges_of

ANNOUNCEMENT = (
    "Berdasarkan hasil penilaian Tim Juri KOINYANLIK 2026, Panitia mengumumkan para pemenang "
    "Kompetisi Inovasi Pelayanan Publik Kota Palembang. Selamat kepada seluruh OPD dan unit "
    "kerja yang telah berinovasi untuk pelayanan publik yang lebih baik.\n\n"
    "Keaslian setiap piagam dapat diperiksa melalui kode QR atau nomor yang tercetak padanya."
)


def demo_logo() -> bytes:
    """A simple shield in maroon and gold (a stand-in for the city's coat of arms)."""
    img = Image.new("RGB", (240, 280), "white")
    draw = ImageDraw.Draw(img)
    draw.polygon(
        [(20, 20), (220, 20), (220, 150), (120, 260), (20, 150)],
        fill=(120, 20, 30),
        outline=(212, 175, 55),
        width=10,
    )
    draw.ellipse([80, 60, 160, 140], fill=(212, 175, 55))
    draw.rectangle([112, 140, 128, 215], fill=(212, 175, 55))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def publish_demo_results(stage: Stage, committee: User, when: datetime) -> None:
    """Publish the demo stage twice: version 1 with Juara I-III, then a correction adding the
    Harapan awards, and issue the judges' certificates of appreciation."""
    round_ = stage.round
    certificates.save_layout(
        round_=round_,
        government="Pemerintah Kota Palembang",
        place="Palembang",
        signers=[
            ("Dr. H. Ahmad Fauzi, M.Si.", "Sekretaris Daerah Kota Palembang"),
            ("Rina Kartika, S.STP., M.Si.", "Kepala Bagian Organisasi Setda"),
        ],
        images={"logo": demo_logo()},
        actor=committee,
    )
    settings = awards.settings_of(round_)
    settings.announcement = ANNOUNCEMENT
    city = awards.PRESETS["city"]
    awards.set_levels(round_=round_, levels=city[:3], actor=committee)
    publication_service.publish_results(stage=stage, actor=committee, now=when)
    awards.set_levels(round_=round_, levels=city, actor=committee)
    publication_service.publish_results(
        stage=stage,
        actor=committee,
        now=when + timedelta(days=1),
        reason="Penambahan Juara Harapan I dan II sesuai keputusan rapat panitia.",
    )
    awards.issue_appreciation_certificates(
        round_=round_, judges=judges_of(round_), actor=committee, now=when + timedelta(days=1)
    )
    # A special award outside the ranking: the public's favourite, place 6 of a category.
    favourite = next(
        r for r in awards.list_results(awards.latest_publication(stage)) if r.rank == 6
    )
    awards.give_special_award(
        round_=round_,
        entry=favourite.entry,
        title="Inovasi Terfavorit",
        actor=committee,
        now=when + timedelta(days=1),
    )
