"""The nightly crawl: Scrapy middlewares, item pipelines, state store, run summary and runner.

Site knowledge lives in the registry (`data/sites.yaml`) and in the CMS-family adapters of
`spiders/adapters/`; everything here is transport, storage and bookkeeping shared by all sites.
"""
