"""Entries: the OPD's proposal with its attachments, the Admin Lokal's review, the committee's
screening, the round pages that list entries (``round_views``) and the round dashboard's
figures (``dashboard``)."""
