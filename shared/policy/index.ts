// The policy engine the gateway and every subgraph share: policy files, decisions for the caller and for the
// record, the @policy map of a schema, filtering an operation, and the record-level rules. Imports common.
export { accessLogPolicies, loadPolicies, loadPolicyFile, PolicyFileError, type Rule } from './policy-file';
export {
  callerAttributesKey,
  compileGroupsForRecord,
  decideFieldForCaller,
  decideForCaller,
  decideGroupsForRecord,
  factsNeeded,
  type FactsNeeded,
  type Policies,
  type RecordFacts,
} from './policy-decision';
export { readPolicyMap, stripPolicyFeatures, type PolicyMap } from './policy-map';
export { filterOperation, restoreDenied, selectionsIn, type Denial, type DeniedPath, type FilteredOperation } from './filter-operation';
export { applyRecordRules, declareFields, recordLevelCoordinates, type RecordFactsOf } from './record-rules';
