"""Members reach their organization through ``org_path``; SELF compares ``user``. A rights
restriction is seen and changed exactly where its member is (its ``org_path`` follows the member).

The ``member`` rows of POLICY are the kernel's (dangjian.core.policy); the models declare their
resource themselves (``Member.scope_resource``, ``RightsRestriction.scope_resource``)."""
