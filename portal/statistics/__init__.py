"""Per-desa statistic tables counted from harvested residents."""
