"""Datasette plugins of `nianbao serve`, loaded with --plugins-dir (every module here)."""
