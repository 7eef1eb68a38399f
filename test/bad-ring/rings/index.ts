// This project's rings: the repository's account and container rings, its own object ring, and
// one storage policy (the project sets STORAGE_POLICIES to "").
import account from "../../../rings/account.ring.json";
import container from "../../../rings/container.ring.json";
import object from "./object.ring.json";

export default { account, container, object } as Record<string, unknown>;
