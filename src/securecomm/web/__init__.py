"""Server-rendered pages for people (Jinja2, no build step): each page calls the same
view function as its API route, so a page can never show more than the API would."""
