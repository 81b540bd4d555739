// An editor's session with yaml-language-server (node_modules), for tests/test_spec_schema.py:
// open each document, wait for its diagnostics, ask for completions and hovers where told.
// In (stdin, JSON): {"root": DIR, "documents": [{"path": FILE, "complete": [[line, col]...],
// "hover": [[line, col]...]}]}. Out (stdout, JSON): per path, its diagnostics, completion
// labels and hover texts.
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const server = spawn(process.execPath, [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
let buffer = Buffer.alloc(0);
let nextId = 0;
const answers = {};
const diagnostics = {};
const waiting = {};

function send(message) {
  const text = JSON.stringify({ jsonrpc: '2.0', ...message });
  server.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function request(method, params) {
  return new Promise((resolve) => {
    nextId += 1;
    answers[nextId] = resolve;
    send({ id: nextId, method, params });
  });
}

function diagnosticsOf(uri) {
  if (diagnostics[uri]) return Promise.resolve(diagnostics[uri]);
  return new Promise((resolve) => { waiting[uri] = resolve; });
}

server.stdout.on('data', (data) => {
  buffer = Buffer.concat([buffer, data]);
  for (;;) {
    const head = buffer.indexOf('\r\n\r\n');
    if (head < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())[1]);
    if (buffer.length < head + 4 + length) return;
    const message = JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString());
    buffer = buffer.subarray(head + 4 + length);
    if (message.id !== undefined && answers[message.id] && !message.method) {
      answers[message.id](message.result);
      delete answers[message.id];
    } else if (message.method === 'textDocument/publishDiagnostics') {
      diagnostics[message.params.uri] = message.params.diagnostics;
      if (waiting[message.params.uri]) waiting[message.params.uri](message.params.diagnostics);
    } else if (message.id !== undefined && message.method) {
      // The server asks for its settings: what an editor with the YAML extension answers.
      const settings = { validate: true, completion: true, hover: true, schemaStore: { enable: false } };
      send({ id: message.id, result: message.method === 'workspace/configuration' ? message.params.items.map(() => settings) : null });
    }
  }
});

function text(contents) {
  if (!contents) return '';
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map(text).join('\n');
  return contents.value || '';
}

(async () => {
  await request('initialize', {
    processId: process.pid,
    rootUri: `file://${path.resolve(job.root)}`,
    capabilities: { workspace: { configuration: true }, textDocument: { completion: { completionItem: { documentationFormat: ['plaintext'] } } } },
  });
  send({ method: 'initialized', params: {} });
  send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false } } } } });
  const out = {};
  for (const doc of job.documents) {
    const uri = `file://${path.resolve(doc.path)}`;
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text: fs.readFileSync(doc.path, 'utf8') } } });
    const found = await diagnosticsOf(uri);
    const completions = [];
    for (const [line, character] of doc.complete || []) {
      const result = await request('textDocument/completion', { textDocument: { uri }, position: { line, character } });
      completions.push(((result && result.items) || result || []).map((i) => ({ label: i.label, documentation: text(i.documentation) })));
    }
    const hovers = [];
    for (const [line, character] of doc.hover || []) {
      const result = await request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
      hovers.push(result ? text(result.contents) : '');
    }
    out[doc.path] = {
      diagnostics: found.map((d) => ({ line: d.range.start.line + 1, message: d.message })),
      completions,
      hovers,
    };
  }
  process.stdout.write(JSON.stringify(out));
  await request('shutdown', null);
  send({ method: 'exit' });
  server.kill();
})();
