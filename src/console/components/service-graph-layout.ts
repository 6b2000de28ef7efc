import { Graph as DagreGraph, layout as dagreLayout } from '@dagrejs/dagre';
import type { Graph } from '@dagrejs/graphlib';
import type { ServiceMap } from '../../contracts/api/service-map.ts';

/** Sizes of the boxes laid out (px): a node's card and an edge's label. */
export const NODE = { width: 200, height: 72 } as const;
export const EDGE_LABEL = { width: 170, height: 40 } as const;

export interface PlacedNode {
  readonly node: ServiceMap['nodes'][number];
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
}

export interface PlacedEdge {
  readonly edge: ServiceMap['edges'][number];
  /** The path from caller to callee, and where its label's centre goes. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly label: { readonly x: number; readonly y: number };
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/**
 * dagre 3.1.3's declarations import their own files without an extension, which ESM resolution
 * does not find, so its exports arrive untyped: typed here with graphlib's own declarations
 * (dagre bundles that graphlib; importing graphlib's code as well would ship it twice). `layout`
 * writes each node's x/y, each edge's points and label x/y, and the graph's width/height.
 */
const GraphOfDagre = DagreGraph as unknown as typeof Graph;
const layout = dagreLayout as unknown as (graph: Graph) => void;

/**
 * Callers left of their callees (dagre's layered layout, ranks left to right), edge labels
 * placed by dagre so that they do not overlap the boxes. A cycle (two services calling each
 * other) is laid out too: dagre reverses an edge of it for ranking and draws it back.
 */
export function layOut(map: ServiceMap): GraphLayout {
  const graph = new GraphOfDagre({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of map.nodes) graph.setNode(node.service, { ...NODE });
  for (const edge of map.edges)
    graph.setEdge(edge.caller, edge.callee, { ...EDGE_LABEL, labelpos: 'c' });
  layout(graph);
  const label = graph.graph() as { width?: number; height?: number };
  return {
    width: label.width ?? 0,
    height: label.height ?? 0,
    nodes: map.nodes.map((node) => {
      const at = graph.node(node.service) as { x: number; y: number };
      return { node, x: at.x - NODE.width / 2, y: at.y - NODE.height / 2 };
    }),
    edges: map.edges.map((edge) => {
      const at = graph.edge(edge.caller, edge.callee) as {
        points?: { x: number; y: number }[];
        x?: number;
        y?: number;
      };
      return { edge, points: at.points ?? [], label: { x: at.x ?? 0, y: at.y ?? 0 } };
    }),
  };
}
