// Written by `edgeswift ring`: every ring file in this directory, as the Worker bundles them.
import account from "./account.ring.json";
import container from "./container.ring.json";
import object from "./object.ring.json";
import object_1 from "./object-1.ring.json";
import object_2 from "./object-2.ring.json";

export default { account, container, object, "object-1": object_1, "object-2": object_2 } as Record<string, unknown>;
