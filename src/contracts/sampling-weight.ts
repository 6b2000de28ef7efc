/**
 * Attribute on every stored span: how many spans it stands for (its adjusted count, 1 / keep
 * probability). The bootstrap stamps it; every count, rate and percentile is re-weighted by it.
 */
export const WEIGHT_ATTRIBUTE = 'lantern.sampling.weight';
