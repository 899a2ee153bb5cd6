import { AttributeTableBuilder } from './attributes.js';
import type { Dataset } from './dataset.js';
import { IdMap } from './idmap.js';
import { Interactions } from './interactions.js';
import { Rng } from '../math/rng.js';

/**
 * A seeded synthetic shop for the demo and for tests that need planted structure: items with a
 * category, a brand, a price and a text description; users with age, gender and region; events
 * drawn from planted preferences (each user likes a few categories and brands and has a price range),
 * so a model that learns should recover who buys what.
 */
export interface ShopOptions {
  users?: number;
  items?: number;
  seed?: number;
  /** mean events per user */
  eventsPerUser?: number;
}

const CATEGORIES = ['shoes', 'jackets', 'tents', 'backpacks', 'watches', 'headphones', 'coffee', 'tea', 'books', 'games', 'lamps', 'chairs'];
const ADJECTIVES = ['classic', 'light', 'rugged', 'compact', 'premium', 'everyday', 'vintage', 'smart', 'organic', 'quiet'];
const MATERIALS = ['leather', 'cotton', 'steel', 'bamboo', 'wool', 'carbon', 'oak', 'ceramic'];
const BRANDS = ['Northwind', 'Acme', 'Kestrel', 'Lumen', 'Orbit', 'Tundra', 'Verde', 'Basalt', 'Cobalt', 'Juniper', 'Maple', 'Zephyr'];
const REGIONS = ['north', 'south', 'east', 'west'];
const AGE_BANDS = [18, 25, 35, 45, 55, 65];

export function syntheticShop(options: ShopOptions = {}): Dataset {
  const nUsers = options.users ?? 600;
  const nItems = options.items ?? 400;
  const meanEvents = options.eventsPerUser ?? 30;
  const rng = new Rng(options.seed ?? 42);

  // Items: category, brand, log-normal price, a popularity draw (Zipf-like), and a description.
  const items = new IdMap();
  const itemAttrs = new AttributeTableBuilder({ title: 'text', category: 'categorical', brand: 'categorical', price: 'numeric', description: 'text', tags: 'multi' });
  const category = new Int32Array(nItems);
  const brand = new Int32Array(nItems);
  const price = new Float64Array(nItems);
  const appeal = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    items.add(`sku-${String(i + 1).padStart(4, '0')}`);
    category[i] = rng.int(CATEGORIES.length);
    brand[i] = rng.int(BRANDS.length);
    price[i] = Math.round(Math.exp(3 + 1.2 * rng.normal()) * 100) / 100;
    appeal[i] = 1 / Math.pow(1 + rng.int(nItems), 0.6);
    const adjective = ADJECTIVES[rng.int(ADJECTIVES.length)]!;
    const material = MATERIALS[rng.int(MATERIALS.length)]!;
    const cat = CATEGORIES[category[i]!]!;
    const name = `${BRANDS[brand[i]!]} ${adjective} ${material} ${cat.replace(/s$/, '')}`;
    itemAttrs.setText('title', i, name);
    itemAttrs.setCategorical('category', i, cat);
    itemAttrs.setCategorical('brand', i, BRANDS[brand[i]!]);
    itemAttrs.setNumeric('price', i, price[i]!);
    itemAttrs.setText('description', i, `A ${adjective} ${cat.replace(/s$/, '')} made of ${material} by ${BRANDS[brand[i]!]}.`);
    itemAttrs.setMulti('tags', i, [adjective, material]);
  }

  // Users: demographics, and planted tastes that depend partly on them.
  const users = new IdMap();
  const userAttrs = new AttributeTableBuilder({ age: 'numeric', gender: 'categorical', region: 'categorical' });
  const events: { u: number; i: number; t: number }[] = [];
  const weights = new Float64Array(nItems);
  const start = Date.UTC(2026, 0, 1) / 1000;
  for (let u = 0; u < nUsers; u++) {
    users.add(`user-${String(u + 1).padStart(4, '0')}`);
    const age = AGE_BANDS[rng.int(AGE_BANDS.length)]! + rng.int(7);
    const region = rng.int(REGIONS.length);
    userAttrs.setNumeric('age', u, age);
    userAttrs.setCategorical('gender', u, rng.next() < 0.5 ? 'F' : 'M');
    userAttrs.setCategorical('region', u, REGIONS[region]);
    // 2-3 liked categories (region shifts the odds), 3 liked brands, a price comfort zone by age.
    const likedCats = new Set<number>([(region * 3 + rng.int(3)) % CATEGORIES.length]);
    while (likedCats.size < 2 + rng.int(2)) likedCats.add(rng.int(CATEGORIES.length));
    const likedBrands = new Set<number>();
    while (likedBrands.size < 3) likedBrands.add(rng.int(BRANDS.length));
    const comfortPrice = Math.exp(2.5 + (age - 18) / 25 + 0.5 * rng.normal());
    let total = 0;
    for (let i = 0; i < nItems; i++) {
      const catFit = likedCats.has(category[i]!) ? 1 : 0.03;
      const brandFit = likedBrands.has(brand[i]!) ? 3 : 1;
      const priceFit = Math.exp(-Math.abs(Math.log(price[i]! / comfortPrice)));
      weights[i] = appeal[i]! * catFit * brandFit * priceFit;
      total += weights[i]!;
    }
    const n = Math.max(5, Math.round(meanEvents * Math.exp(0.6 * rng.normal() - 0.18)));
    const chosen = new Set<number>();
    let t = start + rng.int(86400 * 30);
    for (let e = 0; e < n && chosen.size < nItems; e++) {
      let pick = rng.next() * total;
      let i = 0;
      while (i < nItems - 1 && (pick -= weights[i]!) > 0) i++;
      if (chosen.has(i)) continue;
      chosen.add(i);
      t += 600 + rng.int(86400 * 3);
      events.push({ u, i, t });
    }
  }

  const x = new Interactions(
    Int32Array.from(events, (e) => e.u),
    Int32Array.from(events, (e) => e.i),
    new Float32Array(events.length).fill(1),
    Float64Array.from(events, (e) => e.t),
  );
  return {
    name: 'synthetic-shop',
    source: 'synthetic',
    users,
    items,
    interactions: x,
    itemTable: itemAttrs.build(nItems),
    userTable: userAttrs.build(nUsers),
    hasRatings: false,
    hasTime: true,
    notes: [`synthetic shop: ${nUsers} users, ${nItems} items, ${events.length} events (seed ${options.seed ?? 42})`],
  };
}
