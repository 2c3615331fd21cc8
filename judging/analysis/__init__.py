"""Analysis: the one bridge from score sheets to arrays, stage rankings, method comparison, judge
reports, the combined final ranking, advancement and the round dashboard."""
