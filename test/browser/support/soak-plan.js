// Written by test/soak/run.mjs for test/soak/soak.test.js: the seeds, tiers, kinds and count of a soak run.
export const PLAN = {"seeds":[2000],"tiers":null,"kinds":null,"runs":null,"count":2000};
