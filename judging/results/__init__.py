"""Results: publication, awards, certificates (numbers, PDF, layout, ZIP), the berita acara,
public results pages and the JSON API."""
