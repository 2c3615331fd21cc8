"""Entries: the OPD's proposal with its attachments, the Admin Lokal's review, and the committee's screening."""
