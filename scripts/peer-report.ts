// Prints the built-in library's recall and false positives on the peer scanner's fixtures.
import { measureBuiltinLibrary, summarise } from "../test/peer/measure.js";

console.log(summarise(await measureBuiltinLibrary()));
