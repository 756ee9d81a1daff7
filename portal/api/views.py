"""HTTP faces of the API: CKAN actions, datastore dumps, DCAT, the OpenAPI document and docs page."""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from portal.api import budget, caller, dcat, dicts, guard, writes
from portal.api.errors import ActionError, NotFound, RateLimited, RequestTooLarge
from portal.api.index import snapshot
from portal.api.openapi import TOKEN_READS, build_spec
from portal.api.params import BodyError, decode_body
from portal.api.registry import all_actions, get_action

bp = Blueprint("api", __name__)
JSON_TYPE = "application/json;charset=utf-8"
# Parameters CKAN strips before calling an action (JSONP callback, jQuery cache buster).
STRIPPED = {"callback", "_"}
DCAT_CACHE_SIZE = 256
JAVASCRIPT_TYPE = "application/javascript;charset=utf-8"
# A JSONP callback must be a (dotted) JavaScript name: nothing else is ever echoed into script.
CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,3}")
# DCAT answers depend on these query parameters only; others do not split the memo.
DCAT_KEYS = ("page", "modified_since", "q", "fq")


class BadRequest(Exception):
    """A request body that is not a JSON object (CKAN answers 400 with a bare string)."""


def json_response(data, status: int = 200) -> Response:
    """JSON with CKAN's content type; a successful GET with ``callback=`` is JSONP, as
    ckan/views/api.py ``_finish`` wraps it: ``callback(json);`` as application/javascript."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback")
    if status == 200 and request.method == "GET" and callback and CALLBACK.fullmatch(callback):
        return Response(f"{callback}({body});", status, content_type=JAVASCRIPT_TYPE)
    return Response(body, status, content_type=JSON_TYPE)


def envelope_error(error: ActionError, name: str = "") -> Response:
    """An ActionError in CKAN's envelope with its status."""
    help_url = f"{request.url_root.rstrip('/')}/api/3/action/help_show?name={name}" if name else ""
    return json_response({"help": help_url, "success": False, "error": error.error_dict()}, error.status)


@bp.before_request
def limit_rate() -> Response | None:
    """429 in CKAN's envelope when the client's bucket is empty."""
    wait = guard.check_rate()
    if wait:
        error = RateLimited(int(guard.retry_after(wait)))
        response = json_response({"help": "", "success": False, "error": error.error_dict()}, 429)
        response.headers["Retry-After"] = guard.retry_after(wait)
        return response
    return None


@bp.before_request
def limit_body() -> Response | None:
    """API bodies are small (API_MAX_BODY): a larger one is refused before it is read, and
    a body without a length cannot be read past the limit either (413 when it tries)."""
    name = (request.view_args or {}).get("logic_function", "")
    if writes.is_upload(name) and request.mimetype == "multipart/form-data":
        # An upload action's body holds the table: the app's MAX_CONTENT_LENGTH bounds it,
        # and a file over it is CKAN's uploader error (409 ``upload``), before it is read.
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            return envelope_error(writes.too_large(), name)
        return None
    limit = current_app.config["API_MAX_BODY"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return envelope_error(RequestTooLarge(limit), name)
    return None


@bp.before_request
def start_budget() -> None:
    """Start the clock of this request's work (API_TIME_BUDGET_MS)."""
    budget.start()


@bp.after_request
def cors(response: Response) -> Response:
    """Every API, datastore and DCAT response may be read from any origin."""
    return guard.add_cors(response)


def request_data() -> dict:
    """Action parameters: query args (repeated keys as lists), then a JSON or form body."""
    data = {k: (v[0] if len(v) == 1 else v) for k, v in request.args.lists()}
    if request.method == "POST":
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = {k: (v[0] if len(v) == 1 else v) for k, v in request.form.lists()}
            if request.files:  # a multipart upload (ckanapi's files=): the file beside its fields
                form.update({k: v[0] for k, v in request.files.lists()})
            elif len(form) == 1 and next(iter(form.values())) in ("", "1", None):
                # Old clients post the JSON dict itself as the only form key.
                form = _decoded(next(iter(form)))
            data.update(form)
        else:
            raw = request.get_data(cache=True)
            if raw.strip():
                data.update(_decoded(raw))
    return {k: v for k, v in data.items() if k not in STRIPPED}


def _decoded(raw: str | bytes) -> dict:
    """A JSON body as parameters (finite numbers, bounded nesting); 400 when it is not JSON."""
    try:
        return decode_body(raw)
    except BodyError as exc:
        raise BadRequest(f"Bad request - JSON Error: {exc}") from None


def _unknown(name: str) -> Response:
    """CKAN's answer for an action this portal does not run: a write action is refused
    (403 Authorization Error on POST, 400 on GET), any other name is not known (400)."""
    if not writes.is_write(name):
        return json_response(f"Bad request - Action name not known: {name}", 400)
    if request.method == "GET":
        return json_response(writes.POST_ONLY, 400)
    return envelope_error(writes.refuse(name), name)


@bp.route("/api/action/<logic_function>", methods=["GET", "POST"])
@bp.route("/api/3/action/<logic_function>", methods=["GET", "POST"])
def action(logic_function: str) -> ResponseReturnValue:
    """Run a CKAN action and answer in CKAN's envelope."""
    func = get_action(logic_function)
    if func is None:
        return _unknown(logic_function)
    if writes.is_write(logic_function) and request.method == "GET":
        return json_response(writes.POST_ONLY, 400)
    callback = request.args.get("callback") if request.method == "GET" else None
    if callback is not None and not CALLBACK.fullmatch(callback):
        return json_response("Bad request - callback must be a JavaScript name such as cb or app.cb", 400)
    help_url = f"{request.url_root.rstrip('/')}/api/3/action/help_show?name={logic_function}"
    try:
        caller.identify()  # a token that is not valid is a 403 whatever the action
        result = func(request_data())
    except BadRequest as exc:
        return json_response(str(exc), 400)
    except ActionError as exc:
        return json_response({"help": help_url, "success": False, "error": exc.error_dict()}, exc.status)
    except HTTPException as exc:  # a body that outgrows API_MAX_BODY while read is a 413
        if exc.code == 413 and writes.is_upload(logic_function):
            return envelope_error(writes.too_large(), logic_function)
        if exc.code == 413:
            return envelope_error(RequestTooLarge(current_app.config["API_MAX_BODY"]), logic_function)
        return json_response({"help": help_url, "success": False, "error": {
            "__type": exc.name, "message": exc.name}}, exc.code or 400)
    except Exception:
        current_app.logger.exception("API action %s failed", logic_function)
        return json_response({"help": help_url, "success": False, "error": {
            "__type": "Internal Server Error", "message": "Internal Server Error"}}, 500)
    return json_response({"help": help_url, "success": True, "result": result})


@bp.get("/api")
@bp.get("/api/<int(min=1, max=3):ver>")
def api_version(ver: int = 1) -> ResponseReturnValue:
    """CKAN's version probe; a browser asking for HTML gets the API page instead."""
    accept = request.accept_mimetypes
    if accept["text/html"] > accept["application/json"]:
        return docs()
    return json_response({"version": ver})


@bp.get("/api/docs")
def docs() -> ResponseReturnValue:
    """The API page for people: what to call, with live examples."""
    snap = snapshot()
    example = snap.entries[0] if snap.entries else None
    csv_file = next((f for f in example.latest.files if f.format == "csv"), None) if example else None
    resource_id = dicts.stable_id("resource", example.id, csv_file.name) if csv_file else None
    actions = sorted((name, (func.__doc__ or "").split("\n")[0], writes.is_write(name) or name in TOKEN_READS)
                     for name, func in all_actions().items())
    return render_template("api/index.html", example=example, resource_id=resource_id,
                           actions=actions, base=dicts.base_url(),
                           rate=current_app.config["API_RATE_LIMIT"],
                           burst=current_app.config["API_RATE_BURST"])


@bp.get("/api/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of every endpoint."""
    return json_response(build_spec())


@bp.get("/datastore/dump/<resource_id>")
def datastore_dump(resource_id: str) -> ResponseReturnValue:
    """A whole published table (or the part a search selects) as CSV, TSV, JSON or XML."""
    from portal.api import dump

    try:
        body, fmt = dump.dump(resource_id, request.args.to_dict())
    except NotFound:
        return Response("DataStore resource not found", 404, mimetype="text/plain")
    except dump.DumpError as exc:
        return Response(str(exc), 400, mimetype="text/plain")
    except ActionError as exc:  # a search that could not run (bad value, time budget spent)
        return Response(exc.message, 400 if exc.status == 409 else exc.status, mimetype="text/plain")
    response = Response(body, content_type=dump.FORMATS[fmt][1])
    response.headers["Content-Disposition"] = f'attachment; filename="{resource_id}.{fmt}"'
    return response


def _page_url(fmt: str, args: dict):
    base = f"{dicts.base_url()}/catalog.{fmt}"
    return lambda page: f"{base}?{urlencode({**args, 'page': page})}"


def dcat_key() -> tuple:
    """What a DCAT answer depends on: the path and DCAT_KEYS (junk parameters share an entry)."""
    return (request.path, *(request.args.get(k, "") for k in DCAT_KEYS))


def cached_rdf(render) -> ResponseReturnValue:
    """A DCAT answer, kept with the snapshot: rdflib takes seconds for a full catalog page."""
    memo = snapshot().memo.setdefault("dcat", {})
    key = dcat_key()
    if key not in memo:
        response = render()
        if not isinstance(response, Response) or response.status_code != 200:
            return response
        if len(memo) >= DCAT_CACHE_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = (response.get_data(), response.headers["Content-Type"])
    body, content_type = memo[key]
    return Response(body, content_type=content_type)


@bp.get("/catalog.<any(jsonld, ttl, rdf, xml):fmt>")
def catalog(fmt: str) -> ResponseReturnValue:
    """The DCAT-AP 3 catalog, 100 datasets a page, Hydra paging; ``modified_since`` filters."""
    return cached_rdf(lambda: _catalog(fmt))


def _catalog(fmt: str) -> ResponseReturnValue:
    from portal.api.actions import package_search

    try:
        page = int(request.args.get("page", 1))
        if page < 1:
            raise ValueError
    except ValueError:
        return Response("page must be a positive integer", 400, mimetype="text/plain")
    args = {k: request.args[k] for k in ("modified_since", "q", "fq") if request.args.get(k)}
    fq_list = []
    if "modified_since" in args:
        try:
            since = datetime.fromisoformat(args["modified_since"].replace("Z", "+00:00"))
        except ValueError:
            return Response("modified_since must be an ISO 8601 date", 400, mimetype="text/plain")
        fq_list.append(f"metadata_modified:[{since.isoformat()} TO *]")
    per_page = current_app.config["DCAT_PAGE_SIZE"]
    try:
        found = package_search({"q": args.get("q", ""), "fq": args.get("fq", ""), "fq_list": fq_list,
                                "rows": per_page, "start": (page - 1) * per_page,
                                "sort": "metadata_modified desc"})
    except ActionError as exc:
        return Response(exc.message, 400, mimetype="text/plain")
    pages = max(1, math.ceil(found["count"] / per_page))
    if page > pages:
        abort(404)
    snap = snapshot()
    g = dcat.new_graph()
    modified = max((e.modified for e in snap.entries), default=None)
    node = dcat.add_catalog(g, current_app.config["PORTAL_TITLE"], modified)
    for pkg in found["results"]:
        g.add((node, dcat.DCAT.dataset, dcat.add_dataset(g, snap.by_id[pkg["id"]])))
    dcat.add_paging(g, _page_url(fmt, args), page, pages, found["count"], per_page)
    body, media_type = dcat.serialize(g, fmt)
    return Response(body, content_type=f"{media_type};charset=utf-8")


@bp.get("/dataset/<name>.<any(jsonld, ttl, rdf, xml):fmt>")
def dataset(name: str, fmt: str) -> ResponseReturnValue:
    """One dataset in DCAT-AP 3 with all its published versions."""
    entry = snapshot().find(name)
    if entry is None:
        abort(404)

    def render() -> Response:
        g = dcat.new_graph()
        dcat.add_dataset(g, entry)
        body, media_type = dcat.serialize(g, fmt)
        return Response(body, content_type=f"{media_type};charset=utf-8")
    return cached_rdf(render)
