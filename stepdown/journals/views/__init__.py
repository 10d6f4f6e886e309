"""Journal pages, split by concept: entries and charts, sharing and signature, consent and data."""
