"""Award levels: the awards a round gives per category (Juara I up to place 1, Harapan up to
place 5...) and which level a place earns. Below both the ranking pages (``judging.analysis``,
which show the cuts) and publication (``judging.results``, which gives the awards)."""
