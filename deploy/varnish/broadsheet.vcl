# Broadsheet behind Varnish: the reference configuration (Varnish 7, varnish-modules' xkey).
#
# - Freshness is the app's: s-maxage sets the TTL, stale-while-revalidate how long a stale
#   copy is served while a background fetch refreshes it, stale-if-error how long a stale
#   copy stands in when the app is down or answers 5xx. Answers without Cache-Control
#   (errors) and private or no-store ones are never kept.
# - Purges come from Broadsheet's purge worker (BROADSHEET_CACHE_PURGE_URLS pointing here):
#     PURGE with "xkey-purge: k1 k2"      drops every object tagged with one of the keys;
#     PURGE with "xkey-softpurge: k1 k2"  marks them stale (served while refetched);
#     BAN   with "xkey-purge: k1 k2"      the same by ban, where the xkey vmod is missing.
#   Objects are tagged by the app's "xkey" response header.
# - Requests that carry an API key pass to the app: their answers are private.
#
# The tests (tests/deploy/test_varnish.py) run this file as is, with the backend port replaced.
vcl 4.1;

import std;
import xkey;

backend broadsheet {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 1s;
    .first_byte_timeout = 20s;
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the app's hosts. Widen to where your Broadsheet processes run.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        unset req.http.x-bs-mode;
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.x-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (purge);  # no keys: the URL itself
        }
        return (synth(200, "Purged " + req.http.x-gone));
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge || req.http.xkey-purge !~ "^[a-z0-9 -]+$") {
            return (synth(400, "BAN needs xkey-purge: space-separated keys of [a-z0-9-]"));
        }
        ban("obj.http.xkey ~ (^|\s)(" + regsuball(req.http.xkey-purge, " +", "|") + ")(\s|$)");
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.X-API-Key) {
        return (pass);
    }
    # A client reading its own writes back (read replicas): the answer is for it alone.
    if (req.http.Broadsheet-Position || req.http.Cookie ~ "(^|;\s*)broadsheet_position=") {
        return (pass);
    }
    if (req.url ~ "^/v1/stream" || req.http.Upgrade ~ "(?i)websocket") {
        return (pipe);
    }
    if (req.http.x-bs-mode == "fresh") {
        # Restarted to fetch past a stale copy: do not take it as a hit again.
        set req.grace = 0s;
    }
    # Public reads do not depend on cookies; a cookie must not split or skip the cache.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_pipe {
    if (req.http.Upgrade) {
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    if (req.http.x-bs-mode == "stale") {
        return (deliver);  # the app failed a moment ago: stale-if-error
    }
    if (!std.healthy(req.backend_hint)) {
        return (deliver);  # the app is down: stale-if-error
    }
    if (obj.ttl + std.duration(obj.http.x-bs-swr + "s", 0s) >= 0s) {
        return (deliver);  # stale-while-revalidate: this answer, and a background refresh
    }
    # Stale past stale-while-revalidate and the app is up: fetch now.
    set req.http.x-bs-mode = "fresh";
    return (restart);
}

sub vcl_backend_response {
    if (!beresp.http.Cache-Control) {
        set beresp.ttl = 0s;  # error answers carry none: never keep them
    }
    if (beresp.status >= 500 && bereq.http.x-bs-mode == "fresh") {
        return (abandon);  # a stale copy exists: vcl_synth serves it instead
    }
    set beresp.http.x-bs-swr = "0";
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.http.x-bs-swr = regsub(
            beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1");
    }
    # Grace is how long a stale copy may be served at all: the longer of the two windows.
    set beresp.grace = std.duration(beresp.http.x-bs-swr + "s", 0s);
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(
            beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s);
    }
    # Past grace, keep the object a while for conditional refetches (ETag -> 304).
    set beresp.keep = 1h;
}

sub vcl_backend_error {
    if (bereq.http.x-bs-mode == "fresh") {
        return (abandon);
    }
}

sub vcl_synth {
    if (resp.status == 503 && req.http.x-bs-mode == "fresh" && req.restarts < 3) {
        set req.http.x-bs-mode = "stale";
        return (restart);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    unset resp.http.x-bs-swr;
}
