/** Builds ComfyUI UI-format workflows for tests (our own graphs, written the way ComfyUI's frontend saves them). */
export interface UiNodeSpec {
  type: string;
  widgets?: unknown[];
  /** socket inputs in slot order: [name, type] or [name, type, widgetName] for a widget converted to an input */
  inputs?: ([string, string] | [string, string, string])[];
  outputs?: [string, string][];
  mode?: number;
  title?: string;
  pos?: [number, number];
}

export class UiGraph {
  readonly nodes: Record<string, unknown>[] = [];
  readonly links: [number, number, number, number, number, string][] = [];
  groups: unknown[] = [];
  extra: Record<string, unknown> = {};
  definitions?: { subgraphs: unknown[] };
  private nextLink = 1;

  node(id: number, s: UiNodeSpec): this {
    this.nodes.push({
      id,
      type: s.type,
      pos: s.pos ?? [(this.nodes.length % 4) * 360, Math.floor(this.nodes.length / 4) * 320],
      size: [300, 100],
      flags: {},
      order: this.nodes.length,
      mode: s.mode ?? 0,
      inputs: (s.inputs ?? []).map(([name, type, widget]) => ({ name, type, link: null, ...(widget ? { widget: { name: widget } } : {}) })),
      outputs: (s.outputs ?? []).map(([name, type], slot) => ({ name, type, links: [], slot_index: slot })),
      properties: { 'Node name for S&R': s.type },
      widgets_values: s.widgets ?? [],
      ...(s.title ? { title: s.title } : {}),
    });
    return this;
  }

  /** link from node `from` output slot to node `to` input slot (slots as in the node's arrays) */
  link(from: number, fromSlot: number, to: number, toSlot: number, type = '*'): this {
    const id = this.nextLink++;
    this.links.push([id, from, fromSlot, to, toSlot, type]);
    const target = this.nodes.find((n) => n.id === to) as { inputs: { link: number | null }[] } | undefined;
    if (target?.inputs[toSlot]) target.inputs[toSlot].link = id;
    const source = this.nodes.find((n) => n.id === from) as { outputs: { links: number[] }[] } | undefined;
    source?.outputs[fromSlot]?.links.push(id);
    return this;
  }

  json(): Record<string, unknown> {
    return {
      last_node_id: Math.max(0, ...this.nodes.map((n) => n.id as number)),
      last_link_id: this.nextLink - 1,
      nodes: this.nodes,
      links: this.links,
      groups: this.groups,
      config: {},
      extra: this.extra,
      version: 0.4,
      ...(this.definitions ? { definitions: this.definitions } : {}),
    };
  }
}

/** The text-to-image graph as ComfyUI saves it (ids as ComfyUI's default graph numbers them). */
export function uiTxt2img(): UiGraph {
  return new UiGraph()
    .node(4, {
      type: 'CheckpointLoaderSimple',
      widgets: ['tiny-sd1.safetensors'],
      outputs: [
        ['MODEL', 'MODEL'],
        ['CLIP', 'CLIP'],
        ['VAE', 'VAE'],
      ],
    })
    .node(6, { type: 'CLIPTextEncode', widgets: ['a cat'], inputs: [['clip', 'CLIP']], outputs: [['CONDITIONING', 'CONDITIONING']] })
    .node(7, { type: 'CLIPTextEncode', widgets: ['ugly'], inputs: [['clip', 'CLIP']], outputs: [['CONDITIONING', 'CONDITIONING']] })
    .node(5, { type: 'EmptyLatentImage', widgets: [64, 64, 1], outputs: [['LATENT', 'LATENT']] })
    .node(3, {
      type: 'KSampler',
      widgets: [156680208700286, 'randomize', 20, 8, 'euler', 'normal', 1],
      inputs: [
        ['model', 'MODEL'],
        ['positive', 'CONDITIONING'],
        ['negative', 'CONDITIONING'],
        ['latent_image', 'LATENT'],
      ],
      outputs: [['LATENT', 'LATENT']],
    })
    .node(8, {
      type: 'VAEDecode',
      inputs: [
        ['samples', 'LATENT'],
        ['vae', 'VAE'],
      ],
      outputs: [['IMAGE', 'IMAGE']],
    })
    .node(9, { type: 'SaveImage', widgets: ['ComfyUI'], inputs: [['images', 'IMAGE']] })
    .link(4, 0, 3, 0, 'MODEL')
    .link(5, 0, 3, 3, 'LATENT')
    .link(4, 1, 6, 0, 'CLIP')
    .link(6, 0, 3, 1, 'CONDITIONING')
    .link(4, 1, 7, 0, 'CLIP')
    .link(7, 0, 3, 2, 'CONDITIONING')
    .link(3, 0, 8, 0, 'LATENT')
    .link(4, 2, 8, 1, 'VAE')
    .link(8, 0, 9, 0, 'IMAGE');
}

/** The same graph as a ComfyUI API prompt. */
export function apiTxt2img(): Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } }> {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd1.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'ugly', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 156680208700286,
        steps: 20,
        cfg: 8,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}
