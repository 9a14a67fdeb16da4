import { createOnUpgradedHost, extendOnUpgradedHost, upgradeHostA } from './steps/after-upgrade.js';
import { buildVolume, createOnOldHost, introduceServices, refuseAboveCap, refuseCorruptPrimitive, showMessage } from './steps/before-upgrade.js';
import type { Step } from './steps/context.js';

export type { DemoContext, Step } from './steps/context.js';
export { expectRefusal, expectRejection } from './steps/helpers.js';

/** The demo, in order: the cluster mid-upgrade, then host A upgraded. */
export const STEPS: readonly Step[] = [
  introduceServices,
  buildVolume,
  createOnOldHost,
  showMessage,
  refuseAboveCap,
  refuseCorruptPrimitive,
  upgradeHostA,
  extendOnUpgradedHost,
  createOnUpgradedHost,
];
