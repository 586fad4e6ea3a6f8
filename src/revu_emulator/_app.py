"""The ASGI app: Moonshot's API under three prefixes, plus the admin API under /_emulator/."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from revu_emulator import _errors as errors
from revu_emulator._accounts import Account
from revu_emulator._catalog import PREFIXES, Platform, find_model, models_for
from revu_emulator._completion import plan_completion, shape_reply
from revu_emulator._config import ConfigError, KeySpec, ScriptRule, StartupState, startup_from_json
from revu_emulator._delivery import Call, CompletionResponse, Shutdown
from revu_emulator._faults import Fault
from revu_emulator._runtime import Runtime, Usage
from revu_emulator._tokens import prompt_tokens

Recorder = Callable[..., None]
Handler = Callable[[Runtime, Account, Any, Recorder], Awaitable[Response]]

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _error_response(
    error: errors.MoonshotError, *, retry_after_header: bool = True
) -> JSONResponse:
    headers = error.headers
    if not retry_after_header:
        headers = {k: v for k, v in headers.items() if k.lower() != "retry-after"}
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _admin_error(message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": "invalid_request_error", "message": message}}, 400)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise errors.invalid_request("Invalid request: the body is not valid JSON") from None


class Emulator:
    """The server's state holder: the startup state and the runtime built from it."""

    def __init__(self, startup: StartupState) -> None:
        self.startup = startup
        self.runtime = Runtime(startup, time.monotonic())
        self.shutdown = Shutdown()

    def reset(self) -> None:
        """Back to the startup state: config, keys, balances and scripts; empty stats and caches."""
        self.runtime = Runtime(self.startup, time.monotonic())

    # -- Moonshot API ---------------------------------------------------------------------

    def _authenticate(self, runtime: Runtime, platform: Platform, request: Request) -> Account:
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else ""
        key = key or request.headers.get("x-api-key", "")
        account = runtime.accounts.get(key)
        if account is None or account.spec.platform != platform:
            raise errors.invalid_authentication()
        if account.spec.permission_denied:
            raise errors.permission_denied()
        if platform == "code":
            agent = request.headers.get("user-agent", "")
            allow = runtime.config.user_agent_allowlist
            allowed = bool(agent) if allow is None else any(agent.startswith(p) for p in allow)
            if not allowed:
                raise errors.access_terminated()
        return account

    async def _api(
        self,
        request: Request,
        platform: Platform,
        handler: Handler,
    ) -> Response:
        """Authenticate, parse, run the handler; render and record any Moonshot error."""
        runtime = self.runtime
        body: Any = None
        record = partial(
            runtime.record,
            method=request.method,
            path=request.url.path,
            headers=dict(request.headers),
        )
        try:
            account = self._authenticate(runtime, platform, request)
            body = await _json_body(request) if request.method == "POST" else None
            response = await handler(runtime, account, body, partial(record, body=body))
        except errors.MoonshotError as error:
            record(body=body, status=error.status, error_type=error.type, fault=error.fault)
            return _error_response(error, retry_after_header=runtime.config.retry_after_header)
        if isinstance(response, CompletionResponse):
            return response  # records itself when it ends
        record(body=body, status=response.status_code, error_type=None)
        return response

    async def _models(
        self, platform: Platform, runtime: Runtime, account: Account, body: Any, record: Recorder
    ) -> Response:
        data = [
            {
                "id": m.id,
                "object": "model",
                "created": m.created,
                "owned_by": "moonshot",
                "context_length": runtime.config.context_for(m.id, m.context),
                "supports_reasoning": m.thinking != "never",
            }
            for m in models_for(platform)
        ]
        return JSONResponse({"object": "list", "data": data})

    async def _balance(
        self, platform: Platform, runtime: Runtime, account: Account, body: Any, record: Recorder
    ) -> Response:
        balance = round(account.balance_usd, 6)
        data = {"available_balance": balance, "voucher_balance": 0.0, "cash_balance": balance}
        return JSONResponse({"code": 0, "data": data, "scode": "0x0", "status": True})

    async def _estimate(
        self, platform: Platform, runtime: Runtime, account: Account, body: Any, record: Recorder
    ) -> Response:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            raise errors.invalid_request("Invalid request: model and messages are required")
        model_id = str(body.get("model", ""))
        if find_model(platform, model_id) is None:
            raise errors.model_not_found(model_id)
        total = prompt_tokens(body["messages"])
        return JSONResponse(
            {"code": 0, "data": {"total_tokens": total}, "scode": "0x0", "status": True}
        )

    async def _chat(
        self, platform: Platform, runtime: Runtime, account: Account, body: Any, record: Recorder
    ) -> Response:
        config = runtime.config
        plan = plan_completion(platform, body, config)
        fault: Fault | None = runtime.fault_plan.next()
        failure = {"overloaded": errors.engine_overloaded, "server_error": errors.server_error}
        if fault in failure:
            error = failure[fault]()
            error.fault = fault
            raise error
        account.check_balance()
        now = time.monotonic()
        account.admit(plan.admitted_tokens, now, config.code_window_s)
        cold = runtime.cold_start_s(now)
        runtime.enter()
        key, model = account.spec.key, plan.model
        cached = runtime.cache.cached_tokens(
            key, model.id, plan.fingerprint, plan.prompt_tokens, now
        )
        runtime.cache.remember(key, model.id, plan.fingerprint, now)
        reply = shape_reply(plan, runtime.scripts.answer(plan.messages))
        usage = Usage(
            prompt_tokens=plan.prompt_tokens,
            cached_tokens=cached,
            completion_tokens=reply.completion_tokens,
            reasoning_tokens=reply.reasoning_tokens,
            cost_usd=model.cost_usd(plan.prompt_tokens, cached, reply.completion_tokens),
        )
        ttft = cold + config.ttft_base_s + (plan.prompt_tokens - cached) * config.ttft_per_token_s
        call = Call(
            runtime=runtime,
            account=account,
            plan=plan,
            reply=reply,
            usage=usage,
            fault=fault,
            ttft_s=ttft,
            output_s_per_token=1.0 / config.output_tps if config.output_tps > 0 else 0.0,
            shutdown=self.shutdown,
            record=record,
        )
        return CompletionResponse(call)

    # -- admin API ------------------------------------------------------------------------

    async def _admin(self, request: Request) -> Response:
        action = request.path_params["action"]
        runtime = self.runtime
        try:
            body = await request.json() if request.method == "POST" and await request.body() else {}
            if not isinstance(body, dict):
                raise ConfigError("the body must be a JSON object")
            if (request.method, action) == ("POST", "keys"):
                spec = KeySpec.from_json(body)
                runtime.add_key(spec)
                return JSONResponse({"ok": True, "limits": spec.limits().__dict__})
            if (request.method, action) == ("POST", "scripts"):
                return JSONResponse(
                    {"ok": True, "index": runtime.add_script(ScriptRule.from_json(body))}
                )
            if (request.method, action) == ("GET", "scripts"):
                return JSONResponse(runtime.scripts.to_json())
            if (request.method, action) == ("POST", "config"):
                runtime.configure(body)
                return JSONResponse(runtime.config.to_json())
            if (request.method, action) == ("GET", "config"):
                return JSONResponse(runtime.config.to_json())
            if (request.method, action) == ("GET", "stats"):
                return JSONResponse(runtime.stats_json())
            if (request.method, action) == ("GET", "requests"):
                return JSONResponse(list(runtime.log))
            if (request.method, action) == ("POST", "reset"):
                self.reset()
                return JSONResponse({"ok": True})
        except (ConfigError, json.JSONDecodeError) as exc:
            return _admin_error(str(exc))
        return JSONResponse(
            {
                "error": {
                    "type": "resource_not_found_error",
                    "message": f"no admin action {request.method} {action}",
                }
            },
            404,
        )

    async def _not_found(self, request: Request) -> Response:
        return _error_response(errors.route_not_found(request.url.path))

    def routes(self) -> list[Route]:
        routes: list[Route] = []
        for platform, prefix in PREFIXES.items():
            for path, method, handler in (
                ("/models", "GET", self._models),
                ("/chat/completions", "POST", self._chat),
                ("/tokenizers/estimate-token-count", "POST", self._estimate),
                ("/users/me/balance", "GET", self._balance),
            ):
                endpoint = partial(self._api, platform=platform, handler=partial(handler, platform))
                routes.append(Route(prefix + path, _endpoint(endpoint), methods=[method]))
        routes.append(Route("/_emulator/{action}", self._admin, methods=["GET", "POST"]))
        routes.append(Route("/{path:path}", self._not_found, methods=ALL_METHODS))
        return routes


def _endpoint(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    # Starlette treats functools.partial objects as plain callables only when they are functions.
    async def endpoint(request: Request) -> Response:
        return await handler(request)

    return endpoint


def create_app(startup: StartupState | None = None) -> tuple[Starlette, Emulator]:
    """The ASGI app and its state holder (the default startup: default keys, zero latency)."""
    emulator = Emulator(startup or startup_from_json({}, None))
    return Starlette(routes=emulator.routes()), emulator
