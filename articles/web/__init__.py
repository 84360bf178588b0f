"""The reader's website: pages, listings, feeds, sitemaps, SEO metadata and the anonymous page cache."""
