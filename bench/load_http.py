"""HTTP side of the load test (bench/load.py): one request on 127.0.0.1, a browser-like session
(cookies, CSRF, Origin and Referer) and the parser that reads the fields of a form."""

import http.client
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
TIMEOUT = 15  # seconds, per request


def request(port, method, path, body=None, headers=None):
    """One request on a new connection (gunicorn's sync workers close it after each response)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response, content
    finally:
        connection.close()


class FormParser(HTMLParser):
    """The fields of the first form with a CSRF token: inputs, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.options = defaultdict(list)
        self._select = None
        self._textarea = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "file"):
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.options[self._select].append(value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def parse_form(content):
    parser = FormParser()
    parser.feed(content.decode("utf-8"))
    return parser


class Session:
    """A browser-like visitor: cookies (the Secure flag ignored: the TLS proxy is left out),
    CSRF token, Origin and Referer headers."""

    def __init__(self, port):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.cookies = {}

    def _headers(self, extra=None):
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "teritoire-load/1.0"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path):
        status, response, content = request(self.port, "GET", path, headers=self._headers())
        self._keep_cookies(response)
        return status, response, content

    def post(self, path, fields, referer):
        body = urllib.parse.urlencode(fields, doseq=True).encode("utf-8")
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            }
        )
        status, response, content = request(self.port, "POST", path, body=body, headers=headers)
        self._keep_cookies(response)
        return status, response, content
