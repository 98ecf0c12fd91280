"""``infra/``: the Kubernetes manifests against the API's schemas (offline, the schemas
bundled with kubernetes-validate) and the compose file parsed and checked, production-safe
and with no secret written in it. There is no Docker engine or cluster here."""

from __future__ import annotations

import copy
import re
from typing import Any

import kubernetes_validate
import pytest
import yaml
from compose_spec import PyCompose

from bot.config import Settings
from bot.errors import ConfigError
from tests.conftest import ROOT

INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
KUBERNETES = "1.30.0"
SECRETISH = re.compile(r"(?i)(password|token|secret|key|_sid)")
APP_IMAGE = "registry.example.org/bot"


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                found.append((f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc))
    return found


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


@pytest.mark.parametrize(("name", "doc"), documents(), ids=[n for n, _ in documents()])
def test_each_manifest_is_valid_for_the_kubernetes_api(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def pod_specs() -> list[dict[str, Any]]:
    specs = [d["spec"]["template"]["spec"] for d in by_kind("Deployment") + by_kind("Job")]
    specs += [d["spec"]["jobTemplate"]["spec"]["template"]["spec"] for d in by_kind("CronJob")]
    return specs


def app_containers() -> list[dict[str, Any]]:
    return [c for spec in pod_specs() for c in spec["containers"]
            if c["image"].startswith(APP_IMAGE)]


def test_the_service_runs_two_probed_replicas_as_an_operator_needs() -> None:
    (deployment,) = by_kind("Deployment")
    assert deployment["spec"]["replicas"] == 2
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    (service,) = [s for s in by_kind("Service") if s["metadata"]["name"] == "bot"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    (ingress,) = by_kind("Ingress")
    assert ingress["spec"]["tls"] and ingress["spec"]["rules"][0]["http"]["paths"][0][
        "backend"]["service"]["name"] == "bot"
    (cron,) = by_kind("CronJob")
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
        "command"] == ["bot", "purge"]
    (job,) = by_kind("Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][:2] == ["bot", "ingest"]


def test_every_app_pod_is_production_safe_and_takes_secrets_from_the_secret() -> None:
    (config,) = by_kind("ConfigMap")
    (secret,) = by_kind("Secret")
    assert config["data"]["BOT_ENV"] == "production"
    assert config["data"]["BOT_CHROMA_URL"]
    assert not any(SECRETISH.search(k) for k in config["data"])
    # The Secret ships empty: nothing secret is committed, and the app will not start
    # until it is filled in (the next test).
    assert set(secret["stringData"]) >= {"BOT_SENDER_HASH_KEY", "BOT_DATABASE_URL"}
    assert all(v == "" for v in secret["stringData"].values())
    for spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
    for container in app_containers():
        refs = {next(iter(r.values()))["name"] for r in container["envFrom"]}
        assert refs == {"bot-config", "bot-secrets"}
        assert "env" not in container  # no value written into a pod spec
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_shipped_settings_refuse_to_start_until_the_secret_is_filled() -> None:
    (config,) = by_kind("ConfigMap")
    (secret,) = by_kind("Secret")
    values = {k.removeprefix("BOT_").lower(): v for k, v in
              {**config["data"], **secret["stringData"]}.items()}
    with pytest.raises(ConfigError, match="BOT_SENDER_HASH_KEY"):
        Settings(_env_file=None, **values)  # type: ignore[call-arg]


def interpolated(text: str) -> str:
    """``${NAME:-default}`` as Compose fills it in with no such variable set."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), text)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # PyYAML resolves the anchors and merge keys (<<) as Compose's own loader does.
    data = yaml.safe_load(interpolated((INFRA / "compose.yaml").read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    return data


def check_compose(data: dict[str, Any]) -> None:
    """Against the Compose specification (compose-spec: field names, types, durations,
    restart policies, depends_on conditions), then its cross-references (networks)."""
    PyCompose.from_yaml(yaml.safe_dump(data, sort_keys=False)).validate()


def test_compose_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    check_compose(compose)


@pytest.mark.parametrize(("change", "named"), [
    (lambda s: s.update(healthchek=s.pop("healthcheck")), "healthchek"),
    (lambda s: s.update(restart="sometimes"), "restart"),
    (lambda s: s["healthcheck"].update(interval="often"), "interval"),
    (lambda s: s.update(networks=["nowhere"]), "nowhere"),
], ids=["misspelt key", "restart policy", "duration", "undefined network"])
def test_the_compose_check_catches_mistakes(compose: dict[str, Any], change: Any,
                                            named: str) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["app-1"]["healthcheck"] = dict(broken["services"]["app-1"]["healthcheck"])
    change(broken["services"]["app-1"])
    with pytest.raises(ValueError, match=named):
        check_compose(broken)


def test_compose_has_the_services_of_a_two_replica_deployment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"app-1", "app-2", "postgres", "chroma", "proxy", "ingest", "purge"} <= set(services)
    for name in ("app-1", "app-2"):
        app = services[name]
        env = app["environment"]
        assert env["BOT_ENV"] == "production"
        assert env["BOT_CHROMA_URL"] == "http://chroma:8000"
        probe = " ".join(app["healthcheck"]["test"])
        assert "/readyz" in probe and "/healthz" in probe
        assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert app["depends_on"]["chroma"]["condition"] == "service_healthy"
        assert any(v.endswith(":/data") for v in app["volumes"])
    assert services["ingest"]["command"][:2] == ["bot", "ingest"]
    assert services["purge"]["command"] == ["bot", "purge"]
    assert services["ingest"]["profiles"] == services["purge"]["profiles"] == ["jobs"]
    for name in ("postgres", "chroma", "proxy"):
        assert services[name]["healthcheck"]["test"]
    # HTTPS ends at the proxy, which sends requests only to ready replicas.
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])
    caddyfile = (INFRA / "Caddyfile").read_text(encoding="utf-8")
    assert "app-1:8000 app-2:8000" in caddyfile and "health_uri /readyz" in caddyfile
    # The database and Chroma are on a network of their own, with no published port.
    assert compose["networks"]["backend"]["internal"] is True
    for name in ("postgres", "chroma"):
        assert services[name]["networks"] == ["backend"] and "ports" not in services[name]
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])
             if not v.startswith(".")}
    assert named <= set(compose["volumes"])


def test_compose_writes_no_secret_inline(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert not SECRETISH.search(key), f"{name}: {key} belongs in secrets.env"
            assert "${" not in str(value) or "BOT_DOMAIN" in str(value), f"{name}: {key}"
        if name.startswith("app") or name in ("ingest", "purge", "postgres"):
            assert service["env_file"] == ["secrets.env"]
    example = (INFRA / "secrets.env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            assert value in ("", "postgresql+psycopg://bot:PASSWORD@postgres:5432/bot"), key
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "infra/secrets.env" in ignored.split()


def test_the_entrypoint_serves_replicas_without_ingesting_and_runs_jobs() -> None:
    script = (INFRA / "entrypoint.sh").read_text(encoding="utf-8")
    assert 'exec "$@"' in script
    assert 'if [ -z "${BOT_CHROMA_URL:-}" ]' in script
    dockerfile = (INFRA / "Dockerfile").read_text(encoding="utf-8")
    assert "setup.py" not in dockerfile and ".[postgres]" in dockerfile
    install = "pip install --no-deps '.[postgres]'"
    assert dockerfile.index("COPY prompts") < dockerfile.index(install)
    assert (ROOT / "bot" / "prompts").resolve() == ROOT / "prompts"  # the packaged link
