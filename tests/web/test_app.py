"""The app's routes: loads, variants, runs, downloads, bad input and safety."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from ketensim.scenario.loader import load_text

pytest.importorskip("httpx")
from starlette.testclient import TestClient

KEY = "keten/klein.toml"


@pytest.fixture
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    from ketensim.web.app import build

    return TestClient(build(app))


def wait(client: TestClient, job: str, seconds: float = 120) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.get(f"/api/job/{job}").json()
        if status["state"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def test_the_list_shows_the_folders_scenarios(client: TestClient) -> None:
    page = client.get("/").text
    assert "Kleine keten" in page and "Twee schakels om het te proberen." in page
    assert f'href="/scenario/{KEY}"' in page


def test_nothing_outside_the_folder_is_reachable(client: TestClient) -> None:
    for key in ("../buiten.toml", "..%2Fbuiten.toml", "/etc/passwd", "keten/../../buiten.toml"):
        assert client.get(f"/scenario/{key}").status_code == 404
        assert client.post(f"/api/loads/{key}", json={}).status_code == 404


def test_loads_follow_the_levers_at_once(client: TestClient) -> None:
    now = client.post(f"/api/loads/{KEY}", json={}).json()["loads"]
    assert now["intake"]["text"] == "0,8" and not now["intake"]["over"]
    then = client.post(f"/api/loads/{KEY}", json={"at": "50", "capacity.intake": "1"}).json()
    assert then["loads"]["intake"]["over"] and then["loads"]["intake"]["text"] == "1,6"
    more = client.post(f"/api/loads/{KEY}", json={"inflow.aanvragen": "-50"}).json()
    assert more["loads"]["intake"]["text"] == "0,4"
    bypass = client.post(f"/api/loads/{KEY}", json={"removed.besluit": "on"}).json()["loads"]
    assert bypass["zitting"]["text"] == "0,72"  # 2 x (0.3 + 0.6 x 0.5) x 0.6


def test_bad_values_say_what_is_wrong_next_to_the_field(client: TestClient) -> None:
    for form, key in (({"capacity.intake": "twee"}, "capacity.intake"),
                      ({"capacity.intake": "1.5"}, "capacity.intake"),
                      ({"at": "999"}, "at"), ({"inflow.aanvragen": "-150"}, "inflow.aanvragen"),
                      ({"removed.intake": "on"}, "removed.intake")):
        errors = client.post(f"/api/loads/{KEY}", json=form).json()["errors"]
        assert key in errors and "expected" in errors[key] and "got" in errors[key], errors


def test_a_run_compares_and_keeps_its_files(client: TestClient, app, folder: Path) -> None:  # type: ignore[no-untyped-def]
    got = client.post(f"/api/run/{KEY}", json={"at": "50", "capacity.besluit": "2",
                                               "replications": "3"})
    job = got.json()["job"]
    assert wait(client, job)["state"] == "done"
    page = client.get(f"/job/{job}").text
    assert "Oordeel" in page and "besluit" in page and 'id="chart-data"' in page
    variant = client.get(f"/job/{job}/variant.toml").text
    assert 'extends = "klein.toml"' in variant and '"step.besluit.capacity" = 2' in variant
    scenario = load_text(variant, "keten/wat-als.toml", folder)  # runs again with ketensim run
    assert scenario.events[-1].at == 50
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/job/{job}/results.zip").content)).namelist()
    assert "comparison.csv" in names and "report.html" in names
    assert "<html" in client.get(f"/job/{job}/report.html").text


def test_a_cancelled_run_leaves_nothing(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    job = client.post(f"/api/run/{KEY}", json={"replications": "50"}).json()["job"]
    time.sleep(0.5)
    assert client.post(f"/api/job/{job}/cancel").json()["cancelled"]
    assert wait(client, job)["state"] == "cancelled"
    assert not app.jobs.get(job).folder.exists()
    assert client.get(f"/job/{job}").status_code == 404


def test_ten_users_at_once_wait_in_line(client: TestClient) -> None:
    jobs = [client.post(f"/api/run/{KEY}", json={"capacity.intake": str(2 + k % 3),
                                                 "replications": "2"}).json()["job"]
            for k in range(10)]
    states = {client.get(f"/api/job/{j}").json()["state"] for j in jobs}
    assert "queued" in states  # one at a time: the others wait
    assert all(wait(client, j, 300)["state"] == "done" for j in jobs)


def test_too_many_waiting_runs_are_refused(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ketensim.web import jobs

    monkeypatch.setattr(jobs, "MAX_WAITING", 1)
    first = client.post(f"/api/run/{KEY}", json={"replications": "50"}).json()["job"]
    second = client.post(f"/api/run/{KEY}", json={"replications": "2"})
    assert second.status_code == 503 and "busy" in second.json()["error"]
    client.post(f"/api/job/{first}/cancel")
    wait(client, first)


def test_an_upload_is_checked_and_stays_in_the_folder(client: TestClient) -> None:
    good = "[scenario]\nname = \"eigen\"\nextends = \"keten/klein.toml\"\n"
    got = client.post("/upload", files={"file": ("eigen.toml", good.encode())},
                      follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"].startswith("/scenario/eigen-")
    assert "Kleine keten" in client.get(got.headers["location"]).text
    outside = "[scenario]\nname = \"x\"\nextends = \"../buiten.toml\"\n"
    bad = client.post("/upload", files={"file": ("x.toml", outside.encode())})
    assert bad.status_code == 400 and "scenario.extends: must lie inside" in bad.text
    broken = client.post("/upload", files={"file": ("y.toml", b"[scenario\nname=1")})
    assert broken.status_code == 400 and "y.toml" in broken.text
    huge = client.post("/upload", files={"file": ("z.toml", b"#" * (300 * 1024))})
    assert huge.status_code == 400 and "too large" in huge.text


def test_an_uploaded_scenario_runs(client: TestClient) -> None:
    good = "[scenario]\nname = \"eigen\"\nextends = \"keten/klein.toml\"\nhorizon = 100\n"
    where = client.post("/upload", files={"file": ("eigen.toml", good.encode())},
                        follow_redirects=False).headers["location"]
    key = where.removeprefix("/scenario/")
    job = client.post(f"/api/run/{key}", json={"capacity.zitting": "2",
                                              "replications": "2"}).json()["job"]
    assert wait(client, job)["state"] == "done", client.get(f"/api/job/{job}").json()
    assert 'extends = "eigen.toml"' in client.get(f"/job/{job}/variant.toml").text


def test_stopping_the_server_stops_its_runs(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    job = client.post(f"/api/run/{KEY}", json={"replications": "50"}).json()["job"]
    time.sleep(1.0)
    app.jobs.stop_all()
    assert wait(client, job)["state"] == "cancelled"
    assert not app.jobs.get(job).folder.exists()


def test_serve_on_a_taken_port_is_refused_clearly(folder: Path) -> None:
    import socket

    from click.testing import CliRunner

    from ketensim.cli.app import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        got = CliRunner().invoke(cli, ["serve", str(folder), "--no-browser", "--port",
                                       str(port)])
    assert got.exit_code == 2
    assert "error: serve: --host/--port: cannot listen there" in got.output
    assert "http://" not in got.output
    missing = CliRunner().invoke(cli, ["serve", str(folder / "nergens"), "--no-browser"])
    assert missing.exit_code == 2 and "is not a folder" in missing.output
