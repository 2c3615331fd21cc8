"""Entries: the OPD's proposal with its attachments (pages: ``views``), the Admin Lokal's review
(``agency_views``), the committee's screening and entry pages (``screening_views``), the round
pages that list entries (``round_views``) and the round dashboard's figures (``dashboard``)."""
