"""Tools for tests, benchmarks and demos: not used by the program itself."""
