"""Benchmarks for jobsearch-core: a workload generator, the baselines and the harness."""
