/**
 * Words that name each rare finding in a report — a test-side lexicon, written
 * independently of the report writer's sentences, so that any sentence using
 * them must declare the finding (and an excluded finding's words never appear).
 */
import type { RareFindingName } from '../../../electron/phantom/findings.js';

export const RARE_TERMS: Record<RareFindingName, RegExp> = {
  rib_fracture: /fracture|\bfx\b|callus/i,
  pneumoperitoneum: /pneumoperitoneum|free (intraperitoneal )?air|subdiaphragmatic/i,
  hiatal_hernia: /hiatal|hiatus/i,
  pneumomediastinum: /pneumomediastinum|continuous diaphragm/i,
  widened_mediastinum:
    /mediastin\w*( \w+){0,3} widen|widen\w* (of )?(the )?(superior |upper )?mediastin|mediastinal width/i,
  hilar_adenopathy:
    /hilar (lymph)?adenopathy|hilar lymph nodes|hilar nodal|lymphadenopathy in (the|both) hil|hil(a|um) (is|are) (not )?enlarged|paratracheal|prominent hila/i,
  calcified_granuloma: /granulom/i,
  cavitary_lesion: /cavit/i,
  subcutaneous_emphysema: /subcutaneous|soft tissue emphysema|surgical emphysema/i,
  sternotomy_wires: /sternotomy|\bcabg\b|\bavr\b|\bmvr\b|valve/i,
  scoliosis: /scoliosis|convex scoliosis/i,
  elevated_hemidiaphragm:
    /hemidiaphragms? (is |are )?(not )?elevat|elevat\w* (of )?(the )?(right|left) hemidiaphragm|hemidiaphragm elevation|position of the hemidiaphragms/i,
};
