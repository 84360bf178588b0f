"""Settings for the scale benchmark's servers: the product's own, plus the floor view's URLs."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
