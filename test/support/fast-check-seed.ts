import fc from 'fast-check';

// Property tests explore a fixed sequence by default, so a run (and CI) is repeatable; FC_SEED=random explores
// new cases, and any number replays the run that printed it.
const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20_261_124 : Number(seed) });
