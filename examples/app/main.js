// Entry point: imports a batch of orders and reports a failure the way an error
// reporter would, by printing the error's stack.
const { parseOrders } = require("./orders");

const BATCH = `
A-100, 2, 2.4.1
A-101, 1, 3.0.0-beta.2
A-102, 5, 2.x
`;

function importBatch(text) {
  const orders = parseOrders(text);
  return orders.reduce((total, order) => total + order.quantity, 0);
}

try {
  console.log(`imported ${importBatch(BATCH)} items`);
} catch (error) {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
