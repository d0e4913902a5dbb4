"""Response headers every page, API answer and download carries.

The Content-Security-Policy allows scripts only from our own origin (no inline
scripts: page data reaches app/static/*.js through data- attributes), no
framing, and inline styles only (bpmn-js and Swagger UI set style attributes).
"""

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app):
    hsts = f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains" \
        if app.config.get("SESSION_COOKIE_SECURE") and app.config.get("HSTS_MAX_AGE") else None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
        return response
