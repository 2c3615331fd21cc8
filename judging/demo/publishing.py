"""The demo's publication: KOINYANLIK-style city awards with prize money, a certificate layout
with a drawn logo, a first version and a correction (so the public page shows a history), and
certificates of appreciation for the judges, and a special award. Its text is in
``data/competition.json`` (``publication``)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image, ImageDraw

from competition.accounts.models import User
from competition.entries.models import Entry
from competition.rounds.models import Stage
from judging.demo import content
from judging.results import awards, certificates
from judging.results import publication as publication_service
from judging.results.views import judges_of


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


def publish_demo_results(stage: Stage, committee: User, when: datetime, favourite: Entry) -> None:
    """Publish the demo stage twice: version 1 with Juara I-III, then a correction adding the
    Harapan awards, and issue the judges' certificates of appreciation."""
    round_ = stage.round
    text = content.competition()["publication"]
    certificates.save_layout(
        round_=round_,
        government=text["government"],
        place=text["place"],
        signers=[(s["name"], s["title"]) for s in text["signers"]],
        images={"logo": demo_logo()},
        actor=committee,
    )
    settings = awards.settings_of(round_)
    settings.announcement = text["announcement"]
    city = awards.PRESETS["city"]
    awards.set_levels(round_=round_, levels=city[:3], actor=committee)
    # the ranges of likely places the publishing page shows, stored with both versions (the
    # award levels do not change them)
    ranges = publication_service.review_risks(stage).ranges
    publication_service.publish_results(stage=stage, actor=committee, now=when, ranges=ranges)
    awards.set_levels(round_=round_, levels=city, actor=committee)
    publication_service.publish_results(
        stage=stage,
        actor=committee,
        now=when + timedelta(days=1),
        reason=text["correction_reason"],
        ranges=ranges,
    )
    awards.issue_appreciation_certificates(
        round_=round_, judges=judges_of(round_), actor=committee, now=when + timedelta(days=1)
    )
    # A special award outside the ranking: the public's favourite.
    awards.give_special_award(
        round_=round_,
        entry=favourite,
        title=text["special_award"],
        actor=committee,
        now=when + timedelta(days=1),
    )
