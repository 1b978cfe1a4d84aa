// A small order importer: reads CSV lines, checks each client's version with semver.
// Bundled and minified by ../generate.mjs into ../dist/app.min.js.
const SemVer = require("semver/classes/semver");

class OrderParser {
  constructor(minClient) {
    this.minClient = new SemVer(minClient);
  }

  parse(line) {
    const [id, quantity, client] = line.split(",").map((field) => field.trim());
    const version = new SemVer(client);
    if (version.compare(this.minClient) < 0) {
      throw new Error(`order ${id}: client ${client} is older than ${this.minClient}`);
    }
    return { id, quantity: Number(quantity), client: version.version };
  }
}

function parseOrders(text, minClient = "2.0.0") {
  const parser = new OrderParser(minClient);
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => parser.parse(line));
}

module.exports = { OrderParser, parseOrders };
