"""Reads a company's job feed from a Relais server with openroles, an
unmodified third-party reader of the modelled HRIS's XML feed, and prints
what it read as JSON.

openroles builds https://{company}.jobs.personio.de/xml itself; the only
change here is the transport: each request goes to BASE_URL over plain
HTTP, with the Host header openroles meant, so that Relais serves it by
host name as it would behind a wildcard DNS name.

Usage: openroles_check.py BASE_URL COMPANY_SLUG LANGUAGE
"""

import json
import sys
import urllib.parse

from openroles import _http
from openroles.providers import personio

base_url, slug, language = sys.argv[1:4]
target = urllib.parse.urlsplit(base_url)
seen = []
original = _http._urlopen


def to_relais(req, timeout):
    url = urllib.parse.urlsplit(req.full_url)
    seen.append(f"{url.netloc}{url.path}")
    req.full_url = urllib.parse.urlunsplit(("http", target.netloc, url.path, url.query, ""))
    req.add_unredirected_header("Host", url.netloc)
    return original(req, timeout)


_http._urlopen = to_relais

jobs = personio.fetch(slug, language=language)
missing = personio.exists("no-such-company-here")
print(
    json.dumps(
        {
            "requests": seen,
            "unknown_company_exists": missing,
            "jobs": [
                {
                    "id": j.id,
                    "title": j.title,
                    "url": j.url,
                    "location": j.location,
                    "posted": j.posted,
                    "department": j.department,
                    "employment_type": j.employment_type,
                    "description": j.description,
                }
                for j in jobs
            ],
        }
    )
)
