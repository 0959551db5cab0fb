import { SHAPES } from './factors.js';
import { BACK_WALL, FLOOR, LEFT_WALL, RIGHT_WALL } from './scene.js';

/**
 * The semantic classes of the dense Shapes3D-like dataset, index = value in the class map: the room's
 * surfaces, then the object by its shape (`object_<shape>`, in the order of the shape factor).
 */
export const SEMANTIC_CLASSES = ['floor', 'back_wall', 'side_wall', ...SHAPES.map((s) => `object_${s}`)] as const;
export type SemanticClass = (typeof SEMANTIC_CLASSES)[number];

/** Class of the first object class; the object of shape s has class OBJECT_CLASS_BASE + s. */
export const OBJECT_CLASS_BASE = 3;

/** Class map value of a room surface (scene.ts); both side walls are one class. */
export function roomClass(surface: number): number {
  if (surface === FLOOR) return 0;
  if (surface === BACK_WALL) return 1;
  if (surface === LEFT_WALL || surface === RIGHT_WALL) return 2;
  throw new Error(`not a room surface: ${surface}`);
}
