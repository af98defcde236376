// Tokenizes .kpi files with the TextMate grammar the way VS Code does (vscode-textmate on the
// Oniguruma regex engine) and prints, as JSON, every non-blank character no rule of the grammar
// matched: {"path": [[line, column, "text"], ...]}. Used by tests/test_highlight.py.
//   node tokenize.js kpi.tmLanguage.json FILE...
const fs = require("fs");
const path = require("path");
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function main([grammarPath, ...files]) {
  const wasm = fs.readFileSync(path.join(__dirname, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
  });
  const grammar = await registry.loadGrammar("source.kpi");
  const unmatched = {};
  for (const file of files) {
    let state = textmate.INITIAL;
    unmatched[file] = [];
    fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        // A token with only the file's own scope is text no rule matched.
        if (token.scopes.length === 1 && text.trim() !== "") {
          unmatched[file].push([index + 1, token.startIndex + 1, text]);
        }
      }
      state = result.ruleStack;
    });
  }
  process.stdout.write(JSON.stringify(unmatched));
}

main(process.argv.slice(2)).catch((error) => { console.error(error); process.exit(2); });
