// Placeholder until the Wasm runtime lands: the runtime owner replaces this with the AssemblyScript build.
