"""PostgreSQL as Django's backend, with pooled connections checked before use."""
