def test_world_builds(world):
    from dangjian.core.rollups import counts_for

    assert counts_for(world.county)["total"] == 11
    assert counts_for(world.b1)["total"] == 5
    assert counts_for(world.city)["total"] == 14
