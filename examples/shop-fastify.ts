/**
 * A shop's own Fastify server using the façade: product pages show similar products, the home page a
 * customer's picks, the cart page picks for a visitor known only by what is in the cart.
 *
 *   node dist/examples/shop-fastify.js [model.unirec]    (no file: trains on the small catalogue below)
 *   curl localhost:PORT/users/ann/picks
 *
 * The first line on stdout is the server's URL.
 */
import Fastify from 'fastify';
import { Recommender, UnknownItemError } from 'unirec';

const PRODUCTS = [
  { id: 'boots', title: 'Hiking boots', tags: ['shoes', 'outdoor'], inStock: true },
  { id: 'sneakers', title: 'Sneakers', tags: ['shoes'], inStock: true },
  { id: 'sandals', title: 'Sandals', tags: ['shoes', 'summer'], inStock: false },
  { id: 'tent', title: 'Tent', tags: ['outdoor'], inStock: true },
  { id: 'stove', title: 'Camping stove', tags: ['outdoor'], inStock: true },
  { id: 'hat', title: 'Sun hat', tags: ['summer'], inStock: true },
];

const ORDERS = [
  ['ann', 'boots'], ['ann', 'tent'], ['bob', 'boots'], ['bob', 'stove'], ['bob', 'tent'],
  ['cid', 'sneakers'], ['cid', 'sandals'], ['dee', 'sandals'], ['dee', 'hat'], ['eve', 'tent'], ['eve', 'stove'],
].map(([user, item]) => ({ user: user!, item: item! }));

export async function buildShop(rec: Recommender) {
  const app = Fastify();
  const inStock = (item: { attributes: Record<string, unknown> }) => item.attributes.inStock !== false;

  app.get<{ Params: { user: string } }>('/users/:user/picks', async (request) =>
    // Unknown customers get the best sellers, flagged `fallback: true`.
    rec.recommend(request.params.user, { k: 3, explain: true, filter: inStock }),
  );

  app.get<{ Params: { id: string } }>('/products/:id/similar', async (request, reply) => {
    try {
      return rec.similar(request.params.id, { k: 3, filter: inStock });
    } catch (err) {
      if (err instanceof UnknownItemError) return reply.code(404).send({ error: err.message });
      throw err;
    }
  });

  app.post<{ Body: { cart: string[] } }>('/cart/picks', async (request) =>
    rec.recommend({ events: request.body.cart.map((item) => ({ item })) }, { k: 3, filter: inStock }),
  );
  return app;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const rec = file ? await Recommender.load(file) : await Recommender.train({ model: 'itemknn', events: ORDERS, items: PRODUCTS });
  const app = await buildShop(rec);
  const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  process.stdout.write(`${url}\n`);
}

await main();
