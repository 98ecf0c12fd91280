"""`make load`: two replicas on one database under webhook load (bench/load/run.py)."""
