"""Web plumbing shared by both doors (the pages and the JSON API): sign-in and access decorators, security headers
and request checks, the need-to-know and access-purpose gates, error pages, template filters and the template class,
pagination, safe redirects, downloads, confirmation pages and the geometry of the pictures pages draw."""
