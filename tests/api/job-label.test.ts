import { describe, expect, it } from 'vitest';
import { promptExcerpt } from '../../server/api/job-label';
import { parseWorkflow } from '../../nodes/workflow';

const wf = (nodes: Record<string, unknown>) => parseWorkflow({ format: 'latentloom.workflow', version: 2, nodes });

describe('job labels', () => {
  it('takes the text that feeds the sampler’s positive input, not the negative one', () => {
    const w = wf({
      neg: { type: 'CLIPTextEncode', params: { text: 'blurry' } },
      pos: { type: 'CLIPTextEncode', params: { text: 'a  red\nfox' } },
      k: {
        type: 'KSampler',
        params: {},
        inputs: { positive: { node: 'pos', output: 'CONDITIONING' }, negative: { node: 'neg', output: 'CONDITIONING' } },
      },
    });
    expect(promptExcerpt(w)).toBe('a red fox');
  });

  it('follows one conditioning hop, falls back to the first prompt, shortens long ones, and says null when there is none', () => {
    const hop = wf({
      pos: { type: 'CLIPTextEncodeSDXL', params: { text_g: 'castle', text_l: 'castle, detailed' } },
      c: { type: 'ConditioningSetArea', params: {}, inputs: { conditioning: { node: 'pos', output: 'CONDITIONING' } } },
      k: { type: 'KSampler', params: {}, inputs: { positive: { node: 'c', output: 'CONDITIONING' } } },
    });
    expect(promptExcerpt(hop)).toBe('castle');
    expect(promptExcerpt(wf({ t: { type: 'CLIPTextEncode', params: { text: 'x'.repeat(300) } } }))).toHaveLength(120);
    expect(promptExcerpt(wf({ l: { type: 'EmptyLatentImage', params: { width: 64 } } }))).toBeNull();
  });
});
