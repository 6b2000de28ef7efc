// Demo traffic on the frontend at a steady rate, until stopped: two product pages
// (GET /products/<sku>) for each checkout (GET /checkout/<sku>).
//   node demo/traffic.mjs [ratePerSecond] [seconds]   (seconds 0 = until Ctrl-C)
const frontend = process.env.FRONTEND_URL ?? 'http://127.0.0.1:8081';
const rate = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 0);
const started = Date.now();
let sent = 0;
let failed = 0;

async function one() {
  const sku = `sku-${Math.floor(Math.random() * 500)}`;
  const route = sent % 3 === 0 ? 'checkout' : 'products';
  try {
    const response = await fetch(`${frontend}/${route}/${sku}`);
    await response.arrayBuffer();
    if (!response.ok) failed += 1;
  } catch {
    failed += 1;
  }
}

const timer = setInterval(() => {
  const due = Math.floor(((Date.now() - started) / 1000) * rate);
  while (sent < due) {
    sent += 1;
    void one();
  }
  if (seconds > 0 && Date.now() - started >= seconds * 1000) clearInterval(timer);
}, 20);

setInterval(() => {
  process.stdout.write(`[traffic] ${sent} requests sent, ${failed} failed\n`);
}, 10_000).unref();
