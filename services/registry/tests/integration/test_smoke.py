from diaodu_platform.testing import ServiceHarness, TopicReader


async def test_smoke(registry: ServiceHarness) -> None:
    c = registry.client
    admin = registry.auth("admin")
    r = await c.post("/api/v1/units", json={"code": "fengcheng", "name": "凤城镇", "kind": "township"}, headers=admin)
    assert r.status_code == 201, r.text
    r = await c.post("/api/v1/projects", json={"name": "阳城县测试项目", "unit_code": "fengcheng", "build_type": "new",
                                               "total_investment": 12000.5, "plan_year": 2023}, headers=admin)
    assert r.status_code == 201, r.text
    pid = r.json()["project_id"]
    async with TopicReader(registry.settings.kafka_bootstrap, registry.settings.topic("registry")) as reader:
        recs = await reader.wait_for(lambda rs: len(rs) >= 2)
    print([(x.key, x.headers) for x in recs])
    assert recs[-1].key == pid
